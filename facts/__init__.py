"""Case models, value parsing and the fact builder: the only place a case becomes facts."""
