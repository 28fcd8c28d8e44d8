"""The book's toy English→French parallel corpus, generated from a small grammar.

Why generate a corpus instead of downloading one?  Because every sentence then
comes with a **gold word alignment** (which English words each French word
translates) and with the list of **phenomena** it shows (article gender,
adjective order, negation, …).  With those, an attention map can be compared
with the truth, and a trained model can be scored phenomenon by phenomenon.

The grammar is deliberately small but not trivial: nouns have a gender,
adjectives mostly follow the noun and agree with it, verbs are conjugated,
``not`` becomes ``ne … pas`` around the verb, object pronouns jump before the
verb, ``à le`` contracts to ``au``.  Each of these is a pattern a Transformer
has to *learn to attend for*.

Everything is deterministic: one ``random.Random(seed)`` drives the sampling,
and nothing depends on ``dict``/``set`` iteration order or hash seeds, so
``python -m attnlib.corpus`` rewrites ``data/corpus/`` byte for byte.

File format (one pair a line, UTF-8, tab-separated)::

    english <TAB> french <TAB> alignment <TAB> phenomena
    the black cat sees the dog .  le chat noir voit le chien .  0-0 1-2 2-1 3-3 4-4 5-5 6-6  gender,adjective_order

The alignment is in Pharaoh format: ``i-j`` links English token ``i`` to French
token ``j`` (0-based, over the space-separated tokens).
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .paths import CORPUS_DIR  # where the generated corpus lives (see attnlib.paths)

__all__ = [
    "CORPUS_DIR", "DEFAULT_SEED", "GENERALISATION_QUOTAS", "HELD_OUT_ADJECTIVE_NOUN", "HELD_OUT_TAGS",
    "MAX_GENERALISATION_LENGTH", "MAX_TRAIN_LENGTH", "PHENOMENA", "PINNED_EXAMPLES", "SPLITS", "SPLIT_SIZES",
    "CorpusFormatError", "Pair",
    "corpus_statistics", "generate_corpus", "lexicon_rows", "load_pairs", "load_split", "parse_alignment",
    "write_corpus",
]

# --------------------------------------------------------------------------------------
# Public constants
# --------------------------------------------------------------------------------------

DEFAULT_SEED = 0
SPLITS = ("train", "valid", "test", "generalisation")
SPLIT_SIZES = {"train": 14_000, "valid": 500, "test": 1_000, "generalisation": 500}

#: The phenomenon tags, in the order they are written.  See ``data/README.md``.
PHENOMENA = (
    "gender", "agreement", "adjective_order", "conjugation", "negation", "object_pronoun",
    "contraction", "preposition", "elision", "past_tense", "coordination",
)
#: Extra tags carried only by the generalisation split: *why* a pair is held out.
HELD_OUT_TAGS = ("held_out_adjective_noun", "held_out_negated_pronoun", "held_out_length")

#: Adjective–noun combinations (English lemmas) that never occur in train, valid or test,
#: neither attributively ("the white horse") nor predicatively ("the horse is white").
#: Each adjective and each noun is frequent on its own.
HELD_OUT_ADJECTIVE_NOUN = (
    ("white", "horse"), ("green", "frog"), ("grey", "mouse"), ("red", "car"), ("blue", "door"),
    ("yellow", "hat"), ("happy", "girl"), ("sad", "king"), ("empty", "bottle"),
    ("small", "dog"), ("old", "house"),
)
#: The longest English sentence (in tokens, final "." included) in train, valid and test.
#: Every ``held_out_length`` pair of the generalisation split is longer.
MAX_TRAIN_LENGTH = 14
#: The longest sentence of the generalisation split (long enough to fail, short enough to read).
MAX_GENERALISATION_LENGTH = 24
#: How many generalisation pairs are drawn for each held-out reason.
GENERALISATION_QUOTAS = {"held_out_adjective_noun": 200, "held_out_negated_pronoun": 150, "held_out_length": 150}

#: The book's running examples, always in the test split (first lines of test.tsv).
PINNED_EXAMPLES = ("the cat sat on the mat .", "the black cat sees the dog .")


# --------------------------------------------------------------------------------------
# Pairs and errors
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """One sentence pair: English ``src``, French ``tgt``, gold alignment, phenomenon tags.

    Tokens are the space-separated words of ``src`` and ``tgt``; ``alignment``
    holds ``(english_index, french_index)`` links over them.
    """

    src: str
    tgt: str
    alignment: tuple[tuple[int, int], ...] = ()
    phenomena: tuple[str, ...] = ()

    @property
    def src_tokens(self) -> list[str]:
        return self.src.split()

    @property
    def tgt_tokens(self) -> list[str]:
        return self.tgt.split()

    def to_line(self) -> str:
        """The pair as one line of the corpus files (without the newline)."""
        alignment = " ".join(f"{i}-{j}" for i, j in self.alignment)
        return "\t".join((self.src, self.tgt, alignment, ",".join(self.phenomena)))


class CorpusFormatError(ValueError):
    """A corpus file has malformed lines; ``problems`` lists ``(line_number, what)``, 1-based."""

    def __init__(self, path: Path | str, problems: Sequence[tuple[int, str]]):
        self.path = Path(path)
        self.problems = list(problems)
        shown = "\n".join(f"  line {n}: {what}" for n, what in self.problems[:20])
        more = f"\n  … and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        lines = ", ".join(str(n) for n, _ in self.problems[:20])
        super().__init__(
            f"{self.path}: {len(self.problems)} malformed line(s) (lines {lines}{', …' if more else ''}); "
            f"expected 'english<TAB>french[<TAB>alignment[<TAB>phenomena]]':\n{shown}{more}"
        )


# --------------------------------------------------------------------------------------
# The lexicon
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Noun:
    en: str
    fr: str
    gender: str  # "m" or "f"
    tags: frozenset[str]
    en_plural: str
    fr_plural: str

    @property
    def countable(self) -> bool:
        return "mass" not in self.tags


@dataclass(frozen=True)
class Adjective:
    en: str
    forms: tuple[str, str, str, str]  # masculine singular, feminine singular, masculine plural, feminine plural
    prenominal: bool  # petit, grand, beau… go before the noun in French too
    applies: frozenset[str]  # noun tags it can describe
    predicative: bool = True  # may follow "is" ("the car is new" is odd in French: excluded)

    def form(self, gender: str, plural: bool) -> str:
        return self.forms[(gender == "f") + 2 * plural]


@dataclass(frozen=True)
class Verb:
    en: str  # base form, may be two words ("look for")
    en_3sg: str
    infinitive: str
    forms: tuple[str, str, str, str, str]  # je, tu, il/elle, nous, ils/elles
    subjects: frozenset[str]
    objects: frozenset[str] = frozenset()  # noun tags of possible direct objects
    ditransitive: bool = False  # also "gives the X to the Y"
    only_ditransitive: bool = False
    company: frozenset[str] = frozenset()  # intransitive: "plays with the dog"
    landmarks: frozenset[str] = frozenset()  # intransitive: restricts where it happens

    def takes_pronoun(self) -> bool:
        return bool(self.objects & {"person", "animal"})


def _english_plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _french_plural(word: str) -> str:
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    if word.endswith("al"):
        return word[:-2] + "aux"
    return word + "s"


# english  french  gender  tags (comma-separated)  [english_plural/french_plural]
_NOUN_TABLE = """
boy          garçon       m  person
girl         fille        f  person
woman        femme        f  person                   women/femmes
teacher      professeur   m  person
doctor       médecin      m  person
farmer       fermier      m  person
baker        boulanger    m  person
king         roi          m  person
queen        reine        f  person
neighbour    voisin       m  person
grandmother  grand-mère   f  person                   grandmothers/grands-mères
grandfather  grand-père   m  person                   grandfathers/grands-pères
brother      frère        m  person,kin
sister       sœur         f  person,kin
mother       mère         f  person,kin
father       père         m  person,kin
baby         bébé         m  person
soldier      soldat       m  person
cook         cuisinier    m  person
singer       chanteur     m  person
driver       chauffeur    m  person
painter      peintre      m  person
waiter       serveur      m  person
lady         dame         f  person
prince       prince       m  person
princess     princesse    f  person
fisherman    pêcheur      m  person                   fishermen/pêcheurs
witch        sorcière     f  person
aunt         tante        f  person
cat          chat         m  animal
dog          chien        m  animal
mouse        souris       f  animal                   mice/souris
horse        cheval       m  animal
cow          vache        f  animal
pig          cochon       m  animal
rabbit       lapin        m  animal
fox          renard       m  animal
wolf         loup         m  animal                   wolves/loups
duck         canard       m  animal
hen          poule        f  animal
goat         chèvre       f  animal
frog         grenouille   f  animal
snake        serpent      m  animal
lion         lion         m  animal
tiger        tigre        m  animal
monkey       singe        m  animal
giraffe      girafe       f  animal
zebra        zèbre        m  animal
turtle       tortue       f  animal
owl          hibou        m  animal                   owls/hiboux
whale        baleine      f  animal,swimmer
dolphin      dauphin      m  animal,swimmer
kitten       chaton       m  animal
puppy        chiot        m  animal
camel        chameau      m  animal
butterfly    papillon     m  animal
bull         taureau      m  animal
parrot       perroquet    m  animal
book         livre        m  thing,readable,writable,openable
pen          stylo        m  thing
pencil       crayon       m  thing
cup          tasse        f  thing,breakable,fillable
glass        verre        m  thing,breakable,fillable
bottle       bouteille    f  thing,breakable,fillable,openable
lamp         lampe        f  thing,breakable
key          clé          f  thing
bag          sac          m  thing,container,openable,fillable
box          boîte        f  thing,container,openable,fillable,surface
ball         ballon       m  thing,toy,throwable
hat          chapeau      m  thing
shoe         chaussure    f  thing
coat         manteau      m  thing
dress        robe         f  thing
shirt        chemise      f  thing
newspaper    journal      m  thing,readable
letter       lettre       f  thing,readable,writable,openable
flower       fleur        f  thing
plant        plante       f  thing
basket       panier       m  thing,container,fillable
knife        couteau      m  thing                    knives/couteaux
spoon        cuillère     f  thing
fork         fourchette   f  thing
umbrella     parapluie    m  thing,cover,openable
map          carte        f  thing,readable
bicycle      vélo         m  thing,wheeled
toy          jouet        m  thing,toy,breakable,throwable
doll         poupée       f  thing,toy
guitar       guitare      f  thing,sound,breakable
phone        téléphone    m  thing,breakable
ticket       billet       m  thing
gift         cadeau       m  thing,openable
candle       bougie       f  thing
blanket      couverture   f  thing,cover
towel        serviette    f  thing
bucket       seau         m  thing,container,fillable
rope         corde        f  thing
stone        pierre       f  thing,throwable
mirror       miroir       m  thing,breakable
picture      tableau      m  thing
radio        radio        f  thing,sound,breakable
drum         tambour      m  thing,sound,toy
table        table        f  furniture,surface,cover
chair        chaise       f  furniture,surface,cover,breakable
bed          lit          m  furniture,surface,cover
mat          tapis        m  furniture,surface,cover
sofa         canapé       m  furniture,surface,cover
bench        banc         m  furniture,surface,cover
desk         bureau       m  furniture,surface,cover
piano        piano        m  furniture,surface,cover,sound
door         porte        f  part,openable,breakable
window       fenêtre      f  part,openable,breakable
roof         toit         m  part,surface
wall         mur          m  part,surface
wheel        roue         f  part
apple        pomme        f  food,fruit
bread        pain         m  food,dish,mass
cake         gâteau       m  food,dish
cheese       fromage      m  food,mass
soup         soupe        f  food,dish,mass
banana       banane       f  food,fruit
carrot       carotte      f  food
pear         poire        f  food,fruit
cherry       cerise       f  food,fruit
lemon        citron       m  food,fruit
tomato       tomate       f  food                     tomatoes/tomates
sandwich     sandwich     m  food,dish
pie          tarte        f  food,dish
cookie       biscuit      m  food,dish
strawberry   fraise       f  food,fruit
salad        salade       f  food,dish
sausage      saucisse     f  food
chocolate    chocolat     m  food,mass
milk         lait         m  drink,mass
coffee       café         m  drink,mass
tea          thé          m  drink,mass
juice        jus          m  drink,mass
lemonade     limonade     f  drink,mass
wine         vin          m  drink,mass
car          voiture      f  vehicle,wheeled,surface,cover
bus          bus          m  vehicle,wheeled
truck        camion       m  vehicle,wheeled,cover
train        train        m  vehicle
boat         bateau       m  vehicle,surface
taxi         taxi         m  vehicle,wheeled
market       marché       m  place
house        maison       f  place,building
garden       jardin       m  place
park         parc         m  place
station      gare         f  place,building
beach        plage        f  place
forest       forêt        f  place
river        rivière      f  place,water
bank         banque       f  place,building
library      bibliothèque f  place,building
museum       musée        m  place,building
kitchen      cuisine      f  place
bedroom      chambre      f  place
street       rue          f  place
town         ville        f  place
village      village      m  place
farm         ferme        f  place,building
field        champ        m  place
mountain     montagne     f  place
lake         lac          m  place,water
sea          mer          f  place,water
zoo          zoo          m  place
cinema       cinéma       m  place,building
shop         magasin      m  place,building
bakery       boulangerie  f  place,building
restaurant   restaurant   m  place,building
castle       château      m  place,building
square       place        f  place
pool         piscine      f  place,water
port         port         m  place
palace       palais       m  place,building
supermarket  supermarché  m  place,building
theatre      théâtre      m  place,building
bridge       pont         m  destination,surface,cover
"""

# english  french forms (ms or ms,fs,mp,fp)  position  noun tags it applies to  [flags]
_PHYSICAL = "animal,thing,furniture,part,vehicle,building"
_ANIMATE = "person,animal"
_ADJECTIVE_TABLE = f"""
black      noir                                  post  {_PHYSICAL},fruit
white      blanc,blanche,blancs,blanches         post  {_PHYSICAL}
red        rouge                                 post  {_PHYSICAL},fruit
green      vert                                  post  {_PHYSICAL},fruit
blue       bleu                                  post  {_PHYSICAL}
yellow     jaune                                 post  {_PHYSICAL},fruit
grey       gris                                  post  {_PHYSICAL}
brown      brun                                  post  {_PHYSICAL}
pink       rose                                  post  {_PHYSICAL}
purple     violet,violette,violets,violettes     post  {_PHYSICAL}
small      petit                                 pre   {_PHYSICAL},person,place,food
big        grand                                 pre   {_PHYSICAL},person,place
beautiful  beau,belle,beaux,belles               pre   {_PHYSICAL},person,place
pretty     joli                                  pre   thing,furniture,person,place,building
young      jeune                                 pre   {_ANIMATE}
old        vieux,vieille,vieux,vieilles          pre   {_ANIMATE},thing,furniture,vehicle,building
good       bon,bonne,bons,bonnes                 pre   food,drink,person
new        nouveau,nouvelle,nouveaux,nouvelles   pre   thing,furniture,vehicle,building  attributive
happy      heureux,heureuse,heureux,heureuses    post  {_ANIMATE}
sad        triste                                post  {_ANIMATE}
tired      fatigué                               post  {_ANIMATE}
angry      fâché                                 post  {_ANIMATE}
calm       calme                                 post  {_ANIMATE},water
sick       malade                                post  {_ANIMATE}
clever     intelligent                           post  {_ANIMATE}
lazy       paresseux,paresseuse,paresseux,paresseuses  post  {_ANIMATE}
kind       gentil,gentille,gentils,gentilles     post  {_ANIMATE}
shy        timide                                post  {_ANIMATE}
brave      courageux,courageuse,courageux,courageuses  post  person
famous     célèbre                               post  person,building
strange    étrange                               post  {_ANIMATE},thing,food,drink,place
wild       sauvage                               post  animal
fast       rapide                                post  animal,vehicle
slow       lent                                  post  animal,vehicle
heavy      lourd                                 post  thing,furniture
light      léger,légère,légers,légères           post  thing,furniture
clean      propre                                post  thing,furniture,vehicle,place
dirty      sale                                  post  animal,thing,furniture,vehicle,place
empty      vide                                  post  fillable,building
full       plein                                 post  fillable
broken     cassé                                 post  breakable
expensive  cher,chère,chers,chères               post  thing,furniture,vehicle,food,drink
hot        chaud                                 post  food,drink
cold       froid                                 post  food,drink,water
sweet      sucré                                 post  food,drink
fresh      frais,fraîche,frais,fraîches          post  food,drink
open       ouvert                                post  openable
closed     fermé                                 post  openable
quiet      silencieux,silencieuse,silencieux,silencieuses  post  {_ANIMATE},place
noisy      bruyant                               post  {_ANIMATE},place,vehicle
rich       riche                                 post  person
poor       pauvre                                post  person
"""

_PERSON_THINGS = "person,animal,thing,furniture,part,food,drink,vehicle,place"
# english | 3sg | infinitive | je tu il nous ils (blank: regular -er) | subjects | objects | flags
_VERB_TABLE = f"""
see       | sees       | voir       | vois vois voit voyons voient                | animate | {_PERSON_THINGS} |
watch     | watches    | regarder   |                                             | animate | person,animal,thing,vehicle |
like      | likes      | aimer      |                                             | animate | person,animal,thing,food,drink,place |
love      | loves      | adorer     |                                             | person  | person,animal,food,drink,place |
want      | wants      | vouloir    | veux veux veut voulons veulent              | animate | thing,food,drink |
eat       | eats       | manger     |                                             | animate | food |
drink     | drinks     | boire      | bois bois boit buvons boivent               | animate | drink |
buy       | buys       | acheter    | achète achètes achète achetons achètent     | person  | thing,food,drink,vehicle,furniture |
sell      | sells      | vendre     | vends vends vend vendons vendent            | person  | thing,food,drink,vehicle,furniture,animal | ditransitive
find      | finds      | trouver    |                                             | animate | person,animal,thing |
look for  | looks for  | chercher   |                                             | animate | person,animal,thing |
take      | takes      | prendre    | prends prends prend prenons prennent        | person  | thing,food,drink |
carry     | carries    | porter     |                                             | person  | thing,food |
open      | opens      | ouvrir     | ouvre ouvres ouvre ouvrons ouvrent          | person  | openable |
close     | closes     | fermer     |                                             | person  | openable |
read      | reads      | lire       | lis lis lit lisons lisent                   | person  | readable | ditransitive
write     | writes     | écrire     | écris écris écrit écrivons écrivent         | person  | writable |
draw      | draws      | dessiner   |                                             | person  | person,animal,thing,furniture,vehicle,building |
paint     | paints     | peindre    | peins peins peint peignons peignent         | person  | thing,furniture,vehicle,part,building |
wash      | washes     | laver      |                                             | person  | animal,thing,furniture,vehicle |
clean     | cleans     | nettoyer   | nettoie nettoies nettoie nettoyons nettoient | person  | thing,furniture,vehicle |
push      | pushes     | pousser    |                                             | animate | thing,furniture,vehicle |
pull      | pulls      | tirer      |                                             | animate | thing,furniture |
hold      | holds      | tenir      | tiens tiens tient tenons tiennent           | person  | thing,food |
have      | has        | avoir      | ai as a avons ont                           | animate | thing,animal,food |
know      | knows      | connaître  | connais connais connaît connaissons connaissent | animate | person,animal,place |
meet      | meets      | rencontrer |                                             | person  | person |
help      | helps      | aider      |                                             | animate | person,animal |
call      | calls      | appeler    | appelle appelles appelle appelons appellent | person  | person,animal |
follow    | follows    | suivre     | suis suis suit suivons suivent              | animate | person,animal,vehicle |
wait for  | waits for  | attendre   | attends attends attend attendons attendent  | animate | person,animal,vehicle |
listen to | listens to | écouter    |                                             | animate | person,animal,sound |
chase     | chases     | chasser    |                                             | animate | person,animal,toy |
feed      | feeds      | nourrir    | nourris nourris nourrit nourrissons nourrissent | person | person,animal |
choose    | chooses    | choisir    | choisis choisis choisit choisissons choisissent | person | thing,food,drink |
lose      | loses      | perdre     | perds perds perd perdons perdent            | person  | thing |
break     | breaks     | casser     |                                             | animate | breakable |
bring     | brings     | apporter   |                                             | animate | thing,food,drink | ditransitive
visit     | visits     | visiter    |                                             | person  | place |
catch     | catches    | attraper   |                                             | animate | animal,throwable |
kiss      | kisses     | embrasser  |                                             | person  | person,animal |
hear      | hears      | entendre   | entends entends entend entendons entendent  | animate | person,animal,vehicle,sound |
touch     | touches    | toucher    |                                             | animate | animal,thing,furniture |
make      | makes      | faire      | fais fais fait faisons font                 | person  | dish |
hide      | hides      | cacher     |                                             | animate | thing,food |
throw     | throws     | lancer     |                                             | person  | throwable | ditransitive
cut       | cuts       | couper     |                                             | person  | food |
fill      | fills      | remplir    | remplis remplis remplit remplissons remplissent | person | fillable |
give      | gives      | donner     |                                             | person  | thing,food,drink | only_ditransitive
show      | shows      | montrer    |                                             | person  | thing,animal | only_ditransitive
send      | sends      | envoyer    | envoie envoies envoie envoyons envoient     | person  | thing | only_ditransitive
offer     | offers     | offrir     | offre offres offre offrons offrent          | person  | thing,food,drink | only_ditransitive
sleep     | sleeps     | dormir     | dors dors dort dormons dorment              | animate | |
play      | plays      | jouer      |                                             | animate | | company=person,animal,toy
run       | runs       | courir     | cours cours court courons courent           | animate | | company=person,animal
walk      | walks      | marcher    |                                             | animate | | company=person,animal
work      | works      | travailler |                                             | person  | | company=person
sing      | sings      | chanter    |                                             | person  | | company=person
dance     | dances     | danser     |                                             | person  | | company=person
swim      | swims      | nager      |                                             | person,swimmer | | company=person,animal landmarks=water
wait      | waits      | attendre   | attends attends attend attendons attendent  | animate | |
jump      | jumps      | sauter     |                                             | animate | |
cry       | cries      | pleurer    |                                             | person  | |
laugh     | laughs     | rire       | ris ris rit rions rient                     | person  | | company=person
live      | lives      | vivre      | vis vis vit vivons vivent                   | animate | | landmarks=place
eat       | eats       | manger     |                                             | animate | | company=person,animal
read      | reads      | lire       | lis lis lit lisons lisent                   | person  | |
"""

_ALLER = ("vais", "vas", "va", "allons", "vont")
_VENIR = ("viens", "viens", "vient", "venons", "viennent")
_ETRE = ("suis", "es", "est", "sommes", "sont")
_ETRE_PAST = ("étais", "étais", "était", "étions", "étaient")

# Subject pronouns: english, french, person index (0 je … 4 ils), gender (None: not visible), plural.
_SUBJECT_PRONOUNS = (
    ("i", "je", 0, None, False), ("you", "tu", 1, None, False), ("he", "il", 2, "m", False),
    ("she", "elle", 2, "f", False), ("we", "nous", 3, None, True), ("they", "ils", 4, "m", True),
)
# Object pronouns: english, french, the subject person they must not repeat ("i see me").
_OBJECT_PRONOUNS = (
    ("me", "me", 0), ("you", "te", 1), ("him", "le", None), ("her", "la", None), ("us", "nous", 3),
    ("them", "les", None),
)

# Determiners: english singular, english plural, french masculine, feminine, plural.
_DETERMINERS = {
    "the": ("the", "the", "le", "la", "les"),
    "a": ("a", None, "un", "une", None),
    "my": ("my", "my", "mon", "ma", "mes"),
    "your": ("your", "your", "ton", "ta", "tes"),
    "this": ("this", "these", "ce", "cette", "ces"),
}
_NUMBERS = (
    ("two", "deux"), ("three", "trois"), ("four", "quatre"), ("five", "cinq"), ("six", "six"),
    ("seven", "sept"), ("eight", "huit"), ("nine", "neuf"), ("ten", "dix"),
)

# Locative prepositions: english words, french words, noun tags of the landmark.
_NEAR_TAGS = frozenset("person animal thing furniture vehicle place destination".split())
_PREPOSITIONS = (
    ("on", "sur", frozenset({"surface"})),
    ("under", "sous", frozenset({"cover"})),
    ("in", "dans", frozenset({"container", "place", "vehicle"})),
    ("near", "près de", _NEAR_TAGS),
    ("behind", "derrière", _NEAR_TAGS),
    ("in front of", "devant", _NEAR_TAGS),
    ("next to", "à côté de", _NEAR_TAGS),
)
# "the door of the house": which nouns a part or relative can belong to.
_OWNERS = {
    "door": {"building", "vehicle"}, "window": {"building", "vehicle"}, "roof": {"building", "vehicle"},
    "wall": {"building"}, "key": {"building", "vehicle"}, "wheel": {"wheeled"},
    "mother": {"person"}, "father": {"person"}, "brother": {"person"}, "sister": {"person"},
}

_FRENCH_VOWELS = "aeiouyàâäéèêëîïôöûüœæ"
_ELISIONS = {"je": "j'", "me": "m'", "te": "t'", "le": "l'", "la": "l'", "ne": "n'", "de": "d'"}
_CONTRACTIONS = {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des"}


def _tags(text: str) -> frozenset[str]:
    return frozenset(t for t in text.split(",") if t)


def _parse_nouns(table: str) -> tuple[Noun, ...]:
    nouns = []
    for line in table.strip().splitlines():
        en, fr, gender, tags, *plural = line.split()
        en_pl, fr_pl = plural[0].split("/") if plural else (_english_plural(en), _french_plural(fr))
        nouns.append(Noun(en, fr, gender, _tags(tags), en_pl, fr_pl))
    return tuple(nouns)


def _parse_adjectives(table: str) -> tuple[Adjective, ...]:
    adjectives = []
    for line in table.strip().splitlines():
        en, forms, position, applies, *flags = line.split()
        if "," in forms:
            ms, fs, mp, fp = forms.split(",")
        else:  # regular: noir noire noirs noires; rouge rouge rouges rouges; gris grise gris grises
            ms = forms
            fs = ms if ms.endswith("e") else ms + "e"
            mp = ms if ms.endswith(("s", "x")) else ms + "s"
            fp = fs + "s"
        adjectives.append(Adjective(en, (ms, fs, mp, fp), position == "pre", _tags(applies),
                                    predicative="attributive" not in flags))
    return tuple(adjectives)


def _regular_er(infinitive: str) -> tuple[str, str, str, str, str]:
    """je mange, tu manges, il mange, nous mangeons (g keeps its sound), ils mangent."""
    stem = infinitive[:-2]
    nous = stem + ("e" if stem.endswith("g") else "") + "ons"
    if stem.endswith("c"):
        nous = stem[:-1] + "çons"
    return (stem + "e", stem + "es", stem + "e", nous, stem + "ent")


def _parse_verbs(table: str) -> tuple[Verb, ...]:
    verbs = []
    for line in table.strip().splitlines():
        en, en_3sg, infinitive, forms, subjects, objects, flags = (c.strip() for c in line.split("|"))
        options = dict(f.split("=") for f in flags.split() if "=" in f)
        verbs.append(Verb(
            en, en_3sg, infinitive,
            tuple(forms.split()) if forms else _regular_er(infinitive),
            _tags(subjects.replace("animate", _ANIMATE)), _tags(objects),
            ditransitive="ditransitive" in flags.split() or "only_ditransitive" in flags.split(),
            only_ditransitive="only_ditransitive" in flags.split(),
            company=_tags(options.get("company", "")), landmarks=_tags(options.get("landmarks", "")),
        ))
    return tuple(verbs)


NOUNS = _parse_nouns(_NOUN_TABLE)
ADJECTIVES = _parse_adjectives(_ADJECTIVE_TABLE)
VERBS = _parse_verbs(_VERB_TABLE)
TRANSITIVE_VERBS = tuple(v for v in VERBS if v.objects and not v.only_ditransitive)
DITRANSITIVE_VERBS = tuple(v for v in VERBS if v.ditransitive)
INTRANSITIVE_VERBS = tuple(v for v in VERBS if not v.objects)
_NOUN_BY_EN = {n.en: n for n in NOUNS}
_ADJ_BY_EN = {a.en: a for a in ADJECTIVES}


def _check_lexicon() -> None:
    """Fail at import if the lexicon breaks an assumption the realiser relies on.

    No French noun or pre-nominal adjective starts with a vowel, so articles never elide
    (``le chat``, never ``l'``); held-out pairs must be grammatical combinations.
    """
    for noun in NOUNS:
        if noun.fr[0] in _FRENCH_VOWELS:
            raise AssertionError(f"French noun {noun.fr!r} starts with a vowel")
    for adj in ADJECTIVES:
        if adj.prenominal and any(f[0] in _FRENCH_VOWELS for f in adj.forms):
            raise AssertionError(f"pre-nominal adjective {adj.en!r} starts with a vowel")
    for a, n in HELD_OUT_ADJECTIVE_NOUN:
        if not _ADJ_BY_EN[a].applies & _NOUN_BY_EN[n].tags:
            raise AssertionError(f"held-out pair {a} {n} can never be generated")
    for words in (NOUNS, ADJECTIVES):
        seen = [w.en for w in words]
        if len(seen) != len(set(seen)):
            raise AssertionError("duplicate English entry in the lexicon")


_check_lexicon()


# --------------------------------------------------------------------------------------
# Realisation: specs -> aligned token lists
# --------------------------------------------------------------------------------------

@dataclass(eq=False)
class _En:
    """An English token; identity (not text) matters, so two "the" stay distinct."""

    text: str


@dataclass(eq=False)
class _Fr:
    """A French token and the English tokens it translates."""

    text: str
    links: tuple[_En, ...]
    role: str = ""  # "article": may contract with à/de (au, du); "pronoun": an object pronoun


@dataclass
class _Chunk:
    """A piece of a sentence pair: English tokens, French tokens, and what it shows."""

    en: list[_En] = field(default_factory=list)
    fr: list[_Fr] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    adj_nouns: set[tuple[str, str]] = field(default_factory=set)  # (adjective, noun) lemmas used together


def _words(en_text: str, fr_text: str, role: str = "") -> _Chunk:
    """A phrase whose English and French words all translate each other (``in front of`` = ``devant``)."""
    en = [_En(w) for w in en_text.split()]
    return _Chunk(en, [_Fr(w, tuple(en), role) for w in fr_text.split()])


def _meta(*chunks: _Chunk) -> tuple[set[str], set[tuple[str, str]]]:
    tags: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for c in chunks:
        tags |= c.tags
        pairs |= c.adj_nouns
    return tags, pairs


def _seq(*chunks: _Chunk) -> _Chunk:
    """Chunks in the same order on both sides."""
    tags, pairs = _meta(*chunks)
    return _Chunk([t for c in chunks for t in c.en], [t for c in chunks for t in c.fr], tags, pairs)


def _reorder(en: Sequence[_Chunk], fr: Sequence[_Chunk]) -> _Chunk:
    """The same chunks in English order and in French order: where attention has to look elsewhere.

    Each chunk's English tokens come from the ``en`` list and its French tokens from
    the ``fr`` list, so a chunk may be English-only (``does not``) or French-only (``ne``).
    """
    tags, pairs = _meta(*en, *fr)
    return _Chunk([t for c in en for t in c.en], [t for c in fr for t in c.fr], tags, pairs)


@dataclass(frozen=True)
class NounPhrase:
    """What to say: a noun with its determiner, number, adjectives and an optional "of the …" owner."""

    noun: Noun
    det: str = "the"  # a key of _DETERMINERS, or an English number word
    plural: bool = False
    pre: Adjective | None = None
    post: Adjective | None = None
    owner: NounPhrase | None = None

    @property
    def gender(self) -> str:
        return self.noun.gender


def _determiner(np: NounPhrase, next_english_word: str) -> _Chunk:
    numbers = dict(_NUMBERS)
    if np.det in numbers:
        return _words(np.det, numbers[np.det])
    en_sg, en_pl, fr_m, fr_f, fr_pl = _DETERMINERS[np.det]
    en = en_pl if np.plural else en_sg
    if en == "a" and next_english_word[0] in "aeiou":
        en = "an"
    fr = fr_pl if np.plural else (fr_f if np.gender == "f" else fr_m)
    return _words(en, fr, role="article" if np.det == "the" else "")


def realise_np(np: NounPhrase) -> _Chunk:
    """English ``det pre post noun [of owner]`` -> French ``det pre noun post [de owner]``."""
    noun_en = np.noun.en_plural if np.plural else np.noun.en
    noun = _words(noun_en, np.noun.fr_plural if np.plural else np.noun.fr)
    pre = _words(np.pre.en, np.pre.form(np.gender, np.plural)) if np.pre else _Chunk()
    post = _words(np.post.en, np.post.form(np.gender, np.plural)) if np.post else _Chunk()
    first_word = (np.pre or np.post or np.noun).en
    det = _determiner(np, first_word)
    phrase = _reorder([det, pre, post, noun], [det, pre, noun, post])
    phrase.tags |= _np_tags(np)
    phrase.adj_nouns |= {(a.en, np.noun.en) for a in (np.pre, np.post) if a}
    if np.owner:
        phrase = _seq(phrase, _words("of", "de"), realise_np(np.owner))
    return phrase


def _np_tags(np: NounPhrase) -> set[str]:
    tags = set()
    if not np.plural:
        tags.add("gender")  # le/la, un/une, ce/cette, mon/ma: the noun's gender decides
    if np.plural or (np.gender == "f" and (np.pre or np.post)):
        tags.add("agreement")
    if np.post:
        tags.add("adjective_order")
    return tags


@dataclass(frozen=True)
class Subject:
    """A subject pronoun (``pronoun`` set) or a noun phrase."""

    np: NounPhrase | None = None
    pronoun: str | None = None  # english: i you he she we they

    def _pronoun_row(self) -> tuple:
        return next(p for p in _SUBJECT_PRONOUNS if p[0] == self.pronoun)

    @property
    def person(self) -> int:
        """0 je, 1 tu, 2 il/elle, 3 nous, 4 ils/elles: the index into a conjugation table."""
        if self.np:
            return 4 if self.np.plural else 2
        return self._pronoun_row()[2]

    @property
    def gender(self) -> str | None:
        return self.np.gender if self.np else self._pronoun_row()[3]

    @property
    def plural(self) -> bool:
        return self.np.plural if self.np else self._pronoun_row()[4]

    @property
    def noun(self) -> str | None:
        return self.np.noun.en if self.np else None


def realise_subject(subject: Subject) -> _Chunk:
    if subject.np:
        return realise_np(subject.np)
    chunk = _words(subject.pronoun, subject._pronoun_row()[1])
    chunk.tags.add("conjugation")
    return chunk


def _verb_chunk(verb: Verb, subject: Subject, negated: bool) -> _Chunk:
    """English verb form (base after do/does) aligned with the conjugated French form."""
    english = verb.en if negated or subject.person != 2 else verb.en_3sg
    return _words(english, verb.forms[subject.person])


@dataclass(frozen=True)
class Negation:
    contracted: bool = False  # doesn't / isn't rather than does not / is not


def _ne_pas(english: Sequence[_En]) -> tuple[_Chunk, _Chunk]:
    """French ``ne`` and ``pas``, both linked to every English negation word."""
    return _Chunk([], [_Fr("ne", tuple(english))]), _Chunk([], [_Fr("pas", tuple(english))])


def _clause(subject: Subject, verb: _Chunk, negation: Negation | None, complements: Sequence[_Chunk] = (),
            clitic: _Chunk | None = None) -> _Chunk:
    """English ``subj [do not] verb [pronoun] complements`` -> French ``subj [ne] [pronoun] verb [pas] complements``.

    The object pronoun (``clitic``) follows the verb in English but precedes it in French;
    ``does not`` becomes ``ne … pas`` *around* the verb.
    """
    subj = realise_subject(subject)
    clitic = clitic or _Chunk()
    if negation is None:
        return _reorder([subj, verb, clitic, *complements], [subj, clitic, verb, *complements])
    aux = "does" if subject.person == 2 else "do"
    neg = _Chunk([_En(aux + "n't")] if negation.contracted else [_En(aux), _En("not")], [], {"negation"})
    ne, pas = _ne_pas(neg.en)
    return _reorder([subj, neg, verb, clitic, *complements], [subj, ne, clitic, verb, pas, *complements])


def _copula_clause(subject: Subject, negation: Negation | None, complement: _Chunk) -> _Chunk:
    """``is`` -> ``est``; ``is not`` -> ``n' est pas`` (is-est, not-ne/pas); ``isn't`` links to all three."""
    subj = realise_subject(subject)
    english = ("am", "are", "is", "are", "are")[subject.person]
    french = _ETRE[subject.person]
    if negation is None:
        return _seq(subj, _words(english, french), complement)
    if negation.contracted and english != "am":  # there is no "amn't"
        be_en = _En(english + "n't")
        ne, pas = _ne_pas([be_en])
        be = _Chunk([be_en], [_Fr(french, (be_en,))])
        neg = _Chunk([], [], {"negation"})
    else:
        be = _words(english, french)
        neg = _Chunk([_En("not")], [], {"negation"})
        ne, pas = _ne_pas(neg.en)
    return _reorder([subj, be, neg, complement], [subj, ne, be, pas, complement])


@dataclass(frozen=True)
class Location:
    """A prepositional phrase: "on the mat", "next to the dogs", "with the girl"."""

    preposition: str  # english, a key of _PREPOSITIONS or "with"
    np: NounPhrase


def realise_location(loc: Location) -> _Chunk:
    fr = "avec" if loc.preposition == "with" else next(p[1] for p in _PREPOSITIONS if p[0] == loc.preposition)
    chunk = _seq(_words(loc.preposition, fr), realise_np(loc.np))
    chunk.tags.add("preposition")
    return chunk


def _object_pronoun(english: str) -> _Chunk:
    fr = next(p[1] for p in _OBJECT_PRONOUNS if p[0] == english)
    chunk = _words(english, fr, role="pronoun")
    chunk.tags.add("object_pronoun")
    return chunk


def transitive(subject: Subject, verb: Verb, obj: NounPhrase | str, negation: Negation | None = None,
               location: Location | None = None) -> _Chunk:
    """"the black cat sees the dog"; "she does not see him" -> "elle ne le voit pas"."""
    v = _verb_chunk(verb, subject, negation is not None)
    extra = [realise_location(location)] if location else []
    if isinstance(obj, str):  # an object pronoun: before the verb in French
        return _clause(subject, v, negation, extra, clitic=_object_pronoun(obj))
    return _clause(subject, v, negation, [realise_np(obj), *extra])


def intransitive(subject: Subject, verb: Verb, negation: Negation | None = None,
                 location: Location | None = None) -> _Chunk:
    """"the dog sleeps under the table" -> "le chien dort sous la table"."""
    v = _verb_chunk(verb, subject, negation is not None)
    return _clause(subject, v, negation, [realise_location(location)] if location else [])


def ditransitive(subject: Subject, verb: Verb, obj: NounPhrase, recipient: NounPhrase,
                 negation: Negation | None = None) -> _Chunk:
    """"the girl gives the apple to the horse" -> "la fille donne la pomme au cheval"."""
    v = _verb_chunk(verb, subject, negation is not None)
    to = _seq(_words("to", "à"), realise_np(recipient))
    return _clause(subject, v, negation, [realise_np(obj), to])


def copula_location(subject: Subject, location: Location, negation: Negation | None = None) -> _Chunk:
    """"the cat is on the mat" -> "le chat est sur le tapis"."""
    return _copula_clause(subject, negation, realise_location(location))


def copula_adjective(subject: Subject, adjective: Adjective, negation: Negation | None = None) -> _Chunk:
    """"the tables are black" -> "les tables sont noires": the adjective agrees across the verb."""
    adj = _words(adjective.en, adjective.form(subject.gender or "m", subject.plural))
    if subject.gender == "f" or subject.plural:
        adj.tags.add("agreement")
    if subject.noun:
        adj.adj_nouns.add((adjective.en, subject.noun))
    return _copula_clause(subject, negation, adj)


def motion(subject: Subject, towards: bool, place: NounPhrase, negation: Negation | None = None) -> _Chunk:
    """"goes to the market" -> "va au marché", "comes from the station" -> "vient de la gare"."""
    base, third = ("go", "goes") if towards else ("come", "comes")
    english = third if negation is None and subject.person == 2 else base
    v = _words(english, (_ALLER if towards else _VENIR)[subject.person])
    where = _seq(_words("to" if towards else "from", "à" if towards else "de"), realise_np(place))
    return _clause(subject, v, negation, [where])


def sat(subject: Subject, location: Location) -> _Chunk:
    """"the cat sat on the mat" -> "le chat était assis sur le tapis": one word to two, and agreement."""
    gender, plural = subject.gender or "m", subject.plural
    participle = "assis" + ("e" if gender == "f" else "") + ("s" if plural and gender == "f" else "")
    en = _En("sat")
    verb = _Chunk([en], [_Fr(_ETRE_PAST[subject.person], (en,)), _Fr(participle, (en,))], {"past_tense"})
    if gender == "f" or plural:
        verb.tags.add("agreement")
    return _seq(realise_subject(subject), verb, realise_location(location))


def coordination(first: _Chunk, second: _Chunk) -> _Chunk:
    """Two clauses joined by "and" / "et"."""
    chunk = _seq(first, _words("and", "et"), second)
    chunk.tags.add("coordination")
    return chunk


def _contract(tokens: list[_Fr]) -> list[_Fr]:
    """à le -> au, à les -> aux, de le -> du, de les -> des: two words become one, linked to both."""
    out: list[_Fr] = []
    for tok in tokens:
        if out and tok.role == "article" and (out[-1].text, tok.text) in _CONTRACTIONS:
            prev = out.pop()
            tok = _Fr(_CONTRACTIONS[prev.text, tok.text], prev.links + tok.links)
        out.append(tok)
    return out


def _elide(tokens: list[_Fr]) -> list[_Fr]:
    """je aime -> j' aime, ne est -> n' est, le aime -> l' aime (before a vowel)."""
    out = []
    for i, tok in enumerate(tokens):
        following = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if tok.text in _ELISIONS and following and following[0] in _FRENCH_VOWELS:
            tok = _Fr(_ELISIONS[tok.text], tok.links, tok.role)
        out.append(tok)
    return out


@dataclass(frozen=True)
class _Sentence:
    pair: Pair
    adj_nouns: frozenset[tuple[str, str]]  # adjective-noun lemma pairs used together
    negated_pronoun: bool  # "ne le voit pas": ne directly before an object pronoun

    @property
    def length(self) -> int:
        return len(self.pair.src_tokens)


def finish(clause: _Chunk) -> _Sentence:
    """Add the full stop, contract and elide, and turn token links into Pharaoh indices."""
    stop = _words(".", ".")
    chunk = _seq(clause, stop)
    fr = _elide(_contract(chunk.fr))
    tags = set(chunk.tags)
    if any(t.text in ("au", "aux", "du", "des") for t in fr):
        tags.add("contraction")
    if any(t.text.endswith("'") for t in fr):
        tags.add("elision")
    index = {id(tok): i for i, tok in enumerate(chunk.en)}
    alignment = tuple(sorted({(index[id(e)], j) for j, tok in enumerate(fr) for e in tok.links}))
    if {i for i, _ in alignment} != set(range(len(chunk.en))) or {j for _, j in alignment} != set(range(len(fr))):
        raise AssertionError(f"unaligned token in {[t.text for t in chunk.en]} / {[t.text for t in fr]}")
    phenomena = tuple(p for p in PHENOMENA if p in tags)
    pair = Pair(" ".join(t.text for t in chunk.en), " ".join(t.text for t in fr), alignment, phenomena)
    negated_pronoun = any(a.text in ("ne", "n'") and b.role == "pronoun" for a, b in zip(fr, fr[1:]))
    return _Sentence(pair, frozenset(chunk.adj_nouns), negated_pronoun)


# --------------------------------------------------------------------------------------
# Sampling: choose what to say
# --------------------------------------------------------------------------------------

@functools.cache
def _nouns(tags: frozenset[str], require: frozenset[str] = frozenset(), exclude: str = "") -> tuple[Noun, ...]:
    """Nouns with one of ``tags`` (and, if given, one of ``require``), in lexicon order."""
    return tuple(n for n in NOUNS if n.tags & tags and (not require or n.tags & require) and n.en != exclude)


@functools.cache
def _adjectives(noun: Noun, prenominal: bool) -> tuple[Adjective, ...]:
    """Adjectives that can describe ``noun`` on the given side of it, in lexicon order."""
    return tuple(a for a in ADJECTIVES if a.prenominal == prenominal and a.applies & noun.tags)


@dataclass(frozen=True)
class _Style:
    """How often each construction is drawn.  The generalisation pools use skewed styles."""

    templates: tuple[tuple[str, float], ...] = (
        ("transitive", 0.36), ("intransitive", 0.16), ("copula_location", 0.10), ("copula_adjective", 0.11),
        ("motion", 0.08), ("ditransitive", 0.08), ("sat", 0.06), ("coordination", 0.05),
    )
    p_pronoun_subject: float = 0.35
    p_negation: float = 0.25
    p_contracted_negation: float = 0.4
    p_object_pronoun: float = 0.4
    p_pre_adjective: float = 0.12
    p_post_adjective: float = 0.25
    p_owner: float = 0.2
    p_extra_location: float = 0.08
    p_held_out_pair: float = 0.0


_MAIN = _Style()
_HELD_OUT_PAIR_STYLE = _Style(
    templates=(("transitive", 0.45), ("intransitive", 0.15), ("copula_location", 0.15), ("copula_adjective", 0.25)),
    p_pronoun_subject=0.2, p_held_out_pair=0.6,
)
_NEGATED_PRONOUN_STYLE = _Style(templates=(("transitive", 1.0),), p_negation=1.0, p_object_pronoun=1.0)
_LONG_STYLE = _Style(
    templates=(("transitive", 0.3), ("ditransitive", 0.2), ("coordination", 0.5)),
    p_pronoun_subject=0.15, p_pre_adjective=0.4, p_post_adjective=0.7, p_owner=0.7, p_extra_location=0.6,
)


class _Sampler:
    """Draws sentence specs with one ``random.Random``; every choice is over an ordered tuple."""

    def __init__(self, rng: random.Random, style: _Style = _MAIN):
        self.rng = rng
        self.style = style

    # -- small helpers ---------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options: Sequence):
        return options[self.rng.randrange(len(options))]

    def weighted(self, options: Sequence[tuple[str, float]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    # -- noun phrases ----------------------------------------------------------------

    def held_out_pair(self, tags: frozenset[str]) -> tuple[Adjective, Noun] | None:
        """In the held-out style, often force one of the held-out adjective–noun pairs."""
        if not self.chance(self.style.p_held_out_pair):
            return None
        fitting = [(a, n) for a, n in HELD_OUT_ADJECTIVE_NOUN if _NOUN_BY_EN[n].tags & tags]
        if not fitting:
            return None
        a, n = self.pick(fitting)
        return _ADJ_BY_EN[a], _NOUN_BY_EN[n]

    def determiner(self, noun: Noun, role: str) -> tuple[str, bool]:
        """(determiner, plural).  Destinations take "the"; negated objects no "a"/numbers ("pas de")."""
        if not noun.countable:
            return self.weighted((("the", 0.7), ("my", 0.1), ("your", 0.1), ("this", 0.1))), False
        if role == "destination":
            return "the", self.chance(0.2)
        options = [("the", 0.55), ("my", 0.08), ("your", 0.07), ("this", 0.07)]
        if role not in ("negated_object", "owner"):
            options += [("a", 0.15), ("number", 0.08)]
        det = self.weighted(options)
        if det == "a":
            return det, False
        if det == "number":
            return self.pick(_NUMBERS)[0], True
        return det, self.chance(0.3)

    def noun_phrase(self, tags: frozenset[str], role: str = "", exclude: str = "",
                    require: frozenset[str] = frozenset()) -> NounPhrase:
        forced = self.held_out_pair(tags) if role != "owner" and not require else None
        noun = forced[1] if forced else self.pick(_nouns(tags, require, exclude))
        det, plural = self.determiner(noun, role)
        pre = post = None
        if forced and forced[0].prenominal:
            pre = forced[0]
        elif forced:
            post = forced[0]
        scale = 0.4 if role == "owner" else 1.0
        if pre is None and (options := _adjectives(noun, True)) and self.chance(self.style.p_pre_adjective * scale):
            pre = self.pick(options)
        if post is None and (options := _adjectives(noun, False)) and self.chance(self.style.p_post_adjective * scale):
            post = self.pick(options)
        owner = None
        if role not in ("owner", "destination") and noun.en in _OWNERS and self.chance(self.style.p_owner):
            owner = self.noun_phrase(frozenset(_OWNERS[noun.en]), role="owner", exclude=noun.en)
        return NounPhrase(noun, det, plural, pre, post, owner)

    # -- clause parts ----------------------------------------------------------------
    def subject(self, tags: frozenset[str],
                pronouns: Sequence[str] = ("i", "you", "he", "she", "we", "they")) -> Subject:
        if pronouns and "person" in tags and self.chance(self.style.p_pronoun_subject):
            return Subject(pronoun=self.pick(tuple(pronouns)))
        return Subject(np=self.noun_phrase(tags, role="subject"))

    def negation(self) -> Negation | None:
        if not self.chance(self.style.p_negation):
            return None
        return Negation(contracted=self.chance(self.style.p_contracted_negation))

    def location(self, restrict: frozenset[str] = frozenset(), company: frozenset[str] = frozenset()) -> Location:
        """A place phrase; ``restrict`` keeps swimmers in the water and the living in places."""
        if company and self.chance(0.25):
            return Location("with", self.noun_phrase(company, role="landmark"))
        preps = [p for p in _PREPOSITIONS if _nouns(p[2], restrict)]
        en, _, landmark_tags = self.pick(preps)
        return Location(en, self.noun_phrase(landmark_tags, role="landmark", require=restrict))

    def object_pronoun(self, subject: Subject, verb: Verb) -> str:
        """him/her/them for anyone; me/you/us only if the verb takes people, and never the subject itself."""
        excluded = _same_person(subject) if "person" in verb.objects else {0, 1, 3}
        return self.pick(tuple(en for en, _, person in _OBJECT_PRONOUNS if person not in excluded))

    # -- clauses ---------------------------------------------------------------------
    def clause(self, template: str) -> _Chunk:
        return getattr(self, "_" + template)()

    def _transitive(self) -> _Chunk:
        verb = self.pick(TRANSITIVE_VERBS)
        subject = self.subject(verb.subjects)
        negation = self.negation()
        location = self.location(restrict=frozenset({"place"})) if self.chance(self.style.p_extra_location) else None
        if verb.takes_pronoun() and self.chance(self.style.p_object_pronoun):
            return transitive(subject, verb, self.object_pronoun(subject, verb), negation, location)
        role = "negated_object" if negation else "object"
        obj = self.noun_phrase(verb.objects, role=role, exclude=subject.noun or "")
        return transitive(subject, verb, obj, negation, location)

    def _intransitive(self) -> _Chunk:
        verb = self.pick(INTRANSITIVE_VERBS)
        location = None
        if verb.landmarks or self.chance(0.75):
            location = self.location(verb.landmarks, verb.company)
        return intransitive(self.subject(verb.subjects), verb, self.negation(), location)

    def _ditransitive(self) -> _Chunk:
        verb = self.pick(DITRANSITIVE_VERBS)
        subject = self.subject(verb.subjects)
        negation = self.negation()
        obj = self.noun_phrase(verb.objects, role="negated_object" if negation else "object")
        recipient = self.noun_phrase(frozenset({"person", "animal"}), role="recipient", exclude=subject.noun or "")
        return ditransitive(subject, verb, obj, recipient, negation)

    def _copula_location(self) -> _Chunk:
        subject = self.subject(frozenset({"person", "animal", "thing", "food", "drink"}))
        return copula_location(subject, self.location(), self.negation())

    def _copula_adjective(self) -> _Chunk:
        """Pronoun subjects only where French shows the gender: il, elle, ils."""
        forced = self.held_out_pair(frozenset({"person", "animal", "thing", "furniture", "part", "food",
                                               "drink", "vehicle", "place"}))
        if forced:
            adjective, noun = forced
            det, plural = self.determiner(noun, "subject")
            subject = Subject(np=NounPhrase(noun, det, plural))
        else:  # a bare subject: "the empty bottle is full" would be nonsense
            subject = self.subject(frozenset({"person", "animal", "thing", "furniture", "part", "food",
                                              "drink", "vehicle", "place"}), pronouns=("he", "she", "they"))
            if subject.np:
                subject = Subject(np=NounPhrase(subject.np.noun, subject.np.det, subject.np.plural))
            tags = subject.np.noun.tags if subject.np else frozenset({"person"})
            adjective = self.pick(tuple(a for a in ADJECTIVES if a.predicative and a.applies & tags))
        return copula_adjective(subject, adjective, self.negation())

    def _motion(self) -> _Chunk:
        subject = self.subject(frozenset({"person", "animal"}))
        place = self.noun_phrase(frozenset({"place", "destination"}), role="destination")
        return motion(subject, self.chance(0.6), place, self.negation())

    def _sat(self) -> _Chunk:
        subject = self.subject(frozenset({"person", "animal"}), pronouns=("he", "she", "they"))
        return sat(subject, self.location())

    def _coordination(self) -> _Chunk:
        parts = [t for t in self.style.templates if t[0] != "coordination"] or list(_MAIN.templates[:-1])
        return coordination(self.clause(self.weighted(parts)), self.clause(self.weighted(parts)))

    def sentence(self) -> _Sentence:
        return finish(self.clause(self.weighted(self.style.templates)))


def _same_person(subject: Subject) -> set[int]:
    """Object pronouns that would refer back to the subject ("i see me", "we see us")."""
    if subject.pronoun in ("i", "we"):
        return {0, 3}
    if subject.pronoun == "you":
        return {1}
    return set()


def pinned_sentences() -> list[_Sentence]:
    """The book's running examples, built with the same realiser as everything else."""
    the = lambda noun, **kw: NounPhrase(_NOUN_BY_EN[noun], "the", **kw)  # noqa: E731
    see = next(v for v in TRANSITIVE_VERBS if v.en == "see")
    return [
        finish(sat(Subject(np=the("cat")), Location("on", the("mat")))),
        finish(transitive(Subject(np=the("cat", post=_ADJ_BY_EN["black"])), see, the("dog"))),
    ]


# --------------------------------------------------------------------------------------
# Splits
# --------------------------------------------------------------------------------------

def held_out_reasons(sentence: _Sentence) -> tuple[str, ...]:
    """Why a sentence may not appear in train/valid/test (empty: it may)."""
    reasons = []
    if sentence.adj_nouns & set(HELD_OUT_ADJECTIVE_NOUN):
        reasons.append("held_out_adjective_noun")
    if sentence.negated_pronoun:
        reasons.append("held_out_negated_pronoun")
    if sentence.length > MAX_TRAIN_LENGTH:
        reasons.append("held_out_length")
    return tuple(reasons)


def _attempts(n: int, reason: str) -> Iterator[int]:
    """Bounded retries: a rule that rejects (almost) everything fails loudly instead of hanging."""
    limit = 200 * n + 10_000
    yield from range(limit)
    raise RuntimeError(f"drew fewer than {n} {reason} sentences in {limit} attempts: "
                       f"the grammar, the held-out rules or the length limits leave too few")


def _draw_in_distribution(rng: random.Random, seen: set[str], n: int) -> list[Pair]:
    sampler = _Sampler(rng)
    pairs: list[Pair] = []
    for _ in _attempts(n, "in-distribution"):
        if len(pairs) == n:
            break
        s = sampler.sentence()
        if s.pair.src in seen or held_out_reasons(s):
            continue
        seen.add(s.pair.src)
        pairs.append(s.pair)
    return pairs


def _draw_held_out(rng: random.Random, seen: set[str], reason: str, n: int) -> list[Pair]:
    style = {"held_out_adjective_noun": _HELD_OUT_PAIR_STYLE, "held_out_negated_pronoun": _NEGATED_PRONOUN_STYLE,
             "held_out_length": _LONG_STYLE}[reason]
    sampler = _Sampler(rng, style)
    pairs: list[Pair] = []
    for _ in _attempts(n, reason):
        if len(pairs) == n:
            break
        s = sampler.sentence()
        reasons = held_out_reasons(s)
        if s.pair.src in seen or reason not in reasons or s.length > MAX_GENERALISATION_LENGTH:
            continue
        seen.add(s.pair.src)
        p = s.pair
        pairs.append(Pair(p.src, p.tgt, p.alignment, p.phenomena + reasons))
    return pairs


def generate_corpus(seed: int = DEFAULT_SEED) -> dict[str, list[Pair]]:
    """All four splits, deterministically from ``seed``.

    The generalisation pairs are drawn first so that train/valid/test can never
    contain them; the running examples are pinned at the top of test.
    """
    rng = random.Random(seed)
    pinned = [s.pair for s in pinned_sentences()]
    assert tuple(p.src for p in pinned) == PINNED_EXAMPLES
    seen = {p.src for p in pinned}
    generalisation = [p for reason, n in GENERALISATION_QUOTAS.items() for p in _draw_held_out(rng, seen, reason, n)]
    n_main = SPLIT_SIZES["train"] + SPLIT_SIZES["valid"] + SPLIT_SIZES["test"] - len(pinned)
    main = _draw_in_distribution(rng, seen, n_main)
    rng.shuffle(main)
    n_test = SPLIT_SIZES["test"] - len(pinned)
    test = pinned + main[:n_test]
    valid = main[n_test:n_test + SPLIT_SIZES["valid"]]
    train = main[n_test + SPLIT_SIZES["valid"]:]
    return {"train": train, "valid": valid, "test": test, "generalisation": generalisation}


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------

def lexicon_rows() -> list[tuple[str, str, str, str]]:
    """(part of speech, english, french, details) for every lexicon entry, for lexicon.tsv."""
    rows = [("noun", n.en, n.fr,
             f"gender={n.gender}; plural={n.en_plural}/{n.fr_plural}; tags={','.join(sorted(n.tags))}")
            for n in NOUNS]
    rows += [("adjective", a.en, a.forms[0],
              f"forms={'/'.join(a.forms)}; position={'before' if a.prenominal else 'after'}") for a in ADJECTIVES]
    verbs = {(v.en, v.infinitive): v for v in VERBS}  # "eat" and "read" are listed twice (with and without object)
    rows += [("verb", v.en, v.infinitive, f"3sg={v.en_3sg}; present={'/'.join(v.forms)}") for v in verbs.values()]
    rows += [("verb", "go", "aller", f"present={'/'.join(_ALLER)}"),
             ("verb", "come", "venir", f"present={'/'.join(_VENIR)}"),
             ("verb", "be", "être", f"present={'/'.join(_ETRE)}; am/are/is"),
             ("verb", "sat", "était assis", "past, fixed phrase: était/étaient + assis/assise/assis/assises")]
    rows += [("pronoun", en, fr, "subject") for en, fr, *_ in _SUBJECT_PRONOUNS]
    rows += [("pronoun", en, fr, "object, before the verb") for en, fr, _ in _OBJECT_PRONOUNS]
    rows += [("determiner", k, "/".join(f for f in v[2:] if f), f"plural={v[1]}" if v[1] and v[1] != v[0] else "")
             for k, v in _DETERMINERS.items()]
    rows += [("number", en, fr, "") for en, fr in _NUMBERS]
    rows += [("preposition", en, fr, "") for en, fr, _ in _PREPOSITIONS]
    rows += [("preposition", "with", "avec", ""), ("preposition", "to", "à", "à le -> au, à les -> aux"),
             ("preposition", "from", "de", "de le -> du, de les -> des"),
             ("preposition", "of", "de", "de le -> du, de les -> des"),
             ("negation", "not", "ne … pas", "do not / does not / don't / doesn't / is not / isn't"),
             ("conjunction", "and", "et", "")]
    return rows


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def write_corpus(out_dir: Path | str = CORPUS_DIR, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Generate the corpus and write ``{split}.tsv`` and ``lexicon.tsv`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, pairs in generate_corpus(seed).items():
        paths[name] = out / f"{name}.tsv"
        _write_lines(paths[name], (p.to_line() for p in pairs))
    paths["lexicon"] = out / "lexicon.tsv"
    _write_lines(paths["lexicon"], ["pos\tenglish\tfrench\tdetails"] + ["\t".join(r) for r in lexicon_rows()])
    return paths


_PHARAOH = re.compile(r"^\s*(\d+-\d+(\s+\d+-\d+)*)?\s*$")


def parse_alignment(text: str) -> tuple[tuple[int, int], ...] | None:
    """``"0-0 1-2"`` -> ``((0, 0), (1, 2))``; ``None`` if ``text`` is not Pharaoh format."""
    if not _PHARAOH.match(text):
        return None
    return tuple(tuple(int(x) for x in link.split("-")) for link in text.split())  # type: ignore[misc]


def _parse_line(line: str) -> tuple[Pair | None, str]:
    """A pair, or ``None`` and what is wrong with the line."""
    columns = line.split("\t")
    if len(columns) < 2:
        return None, "fewer than 2 tab-separated columns" + (" (empty line)" if not line.strip() else "")
    src, tgt = columns[0].strip(), columns[1].strip()
    if not src or not tgt:
        return None, "empty English side" if not src else "empty French side"
    alignment = parse_alignment(columns[2]) if len(columns) > 2 else ()
    if alignment is None and columns[2].strip()[:1].isdigit():  # meant as an alignment, but malformed
        return None, f"alignment column {columns[2].strip()[:40]!r} is not 'i-j' links separated by spaces"
    if alignment is None:  # e.g. the Tatoeba/Anki attribution column: not ours, ignore the rest
        return Pair(src, tgt), ""
    n_src, n_tgt = len(src.split()), len(tgt.split())
    bad = [f"{i}-{j}" for i, j in alignment if i >= n_src or j >= n_tgt]
    if bad:
        return None, f"alignment link(s) {' '.join(bad)} outside the sentences ({n_src} and {n_tgt} tokens)"
    phenomena = tuple(t.strip() for t in columns[3].split(",") if t.strip()) if len(columns) > 3 else ()
    return Pair(src, tgt, alignment, phenomena), ""


def load_pairs(path: Path | str) -> list[Pair]:
    """Read sentence pairs from a tab-separated file: this corpus, or a Tatoeba/Anki ``fra.txt``.

    A third column is used as the alignment only if it is in Pharaoh format; otherwise
    it (and anything after it) is ignored.  Malformed lines are never skipped silently:
    they raise one :class:`CorpusFormatError` listing every bad line number.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no sentence-pair file at {path} (for the book's corpus, run `python -m attnlib.corpus` "
            f"to regenerate {CORPUS_DIR})"
        ) from None
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")  # Windows, old Mac or Unix endings
    if lines and lines[-1] == b"":  # the newline that ends the last line
        lines.pop()
    pairs, problems = [], []
    for number, data in enumerate(lines, start=1):
        try:
            line = data.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as e:
            problems.append((number, f"not valid UTF-8 (byte {e.start})"))
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        pair, problem = _parse_line(line)
        if pair is None:
            problems.append((number, problem))
        else:
            pairs.append(pair)
    if problems:
        raise CorpusFormatError(path, problems)
    return pairs


def load_split(name: str, corpus_dir: Path | str = CORPUS_DIR) -> list[Pair]:
    """One split of the book's corpus: ``train``, ``valid``, ``test`` or ``generalisation``."""
    name = {"generalization": "generalisation", "validation": "valid", "dev": "valid"}.get(name, name)
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; the corpus has {', '.join(SPLITS)}")
    return load_pairs(Path(corpus_dir) / f"{name}.tsv")


# --------------------------------------------------------------------------------------
# Statistics and the command line
# --------------------------------------------------------------------------------------

def corpus_statistics(splits: dict[str, list[Pair]]) -> dict:
    """Sizes, vocabulary sizes and phenomenon counts, as reported in data/README.md."""
    def vocab(pairs: list[Pair], side: str) -> int:
        return len({w for p in pairs for w in getattr(p, side).split()})

    everything = [p for pairs in splits.values() for p in pairs]
    return {
        "sizes": {name: len(pairs) for name, pairs in splits.items()},
        "vocabulary": {
            "english_train": vocab(splits.get("train", []), "src"),
            "french_train": vocab(splits.get("train", []), "tgt"),
            "english_all": vocab(everything, "src"), "french_all": vocab(everything, "tgt"),
        },
        "max_length": {name: max((len(p.src_tokens) for p in pairs), default=0) for name, pairs in splits.items()},
        "phenomena": {name: dict(sorted(Counter(t for p in pairs for t in p.phenomena).items()))
                      for name, pairs in splits.items()},
        "lexicon": {"nouns": len(NOUNS), "adjectives": len(ADJECTIVES),
                    "verbs": len({v.en for v in VERBS}) + 4},  # + go, come, be, sat
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attnlib.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CORPUS_DIR, help=f"output folder (default {CORPUS_DIR})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths = write_corpus(args.out, args.seed)
    stats = corpus_statistics({name: load_pairs(paths[name]) for name in SPLITS})
    for name in SPLITS:
        print(f"{paths[name]}: {stats['sizes'][name]} pairs, longest {stats['max_length'][name]} English tokens")
    print(f"vocabulary (train): {stats['vocabulary']['english_train']} English, "
          f"{stats['vocabulary']['french_train']} French words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
