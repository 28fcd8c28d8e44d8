"""Language models of the corpus's English: the n-gram baseline the neural models are measured against."""
