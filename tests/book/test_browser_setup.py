"""`make test` finds a Chromium for the browser tests, installs Debian's, or says in one line what to do."""

import stat
import subprocess

import browser
import pytest


@pytest.fixture
def no_browser_on_path(monkeypatch, tmp_path):
    monkeypatch.delenv(browser.CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no chromium, no apt-get, no sudo
    monkeypatch.setattr(browser, "MAC_CHROME", tmp_path / "no-chrome")


def fake_executable(folder, name):
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_named_browser_wins_and_a_wrong_name_is_refused(monkeypatch, tmp_path, no_browser_on_path, capsys):
    mine = fake_executable(tmp_path, "my-chrome")
    monkeypatch.setenv(browser.CHROMIUM_ENV, str(mine))
    assert browser.find_chromium() == mine and browser.ensure_chromium() == 0
    monkeypatch.setenv(browser.CHROMIUM_ENV, str(tmp_path / "missing"))
    assert browser.ensure_chromium() == 1  # never replaced by an install behind the reader's back
    assert f"${browser.CHROMIUM_ENV}=" in capsys.readouterr().err


def test_a_chromium_on_the_path_is_found(tmp_path, no_browser_on_path):
    found = fake_executable(tmp_path, "chromium-browser")
    assert browser.find_chromium() == found


def test_without_a_browser_or_apt_it_stops_with_one_line_saying_what_to_install(no_browser_on_path, capsys):
    assert browser.ensure_chromium() == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "apt-get install chromium" in err and browser.CHROMIUM_ENV in err
    with pytest.raises(browser.ChromiumMissing):
        browser.require_chromium()


def test_with_apt_as_root_it_installs_debians_chromium(monkeypatch, tmp_path, no_browser_on_path):
    ran = []

    def run(cmd, **kwargs):
        ran.append(cmd)
        if cmd[-1] == "chromium":  # the install puts a chromium on the PATH
            fake_executable(tmp_path, "chromium")
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(browser, "_apt_install_command", lambda: [])
    monkeypatch.setattr(browser.subprocess, "run", run)
    assert browser.ensure_chromium() == 0
    assert ran == [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]]
    assert browser.find_chromium() == tmp_path / "chromium"


def test_a_failed_install_says_so(monkeypatch, no_browser_on_path, capsys):
    monkeypatch.setattr(browser, "_apt_install_command", lambda: ["sudo", "-n"])
    monkeypatch.setattr(browser.subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, 100))
    assert browser.ensure_chromium() == 1
    assert "sudo -n apt-get update -qq` failed" in capsys.readouterr().err
