"""The rule base: declarative rule files and dated parameters. Data only; this file only marks the folder as a package so the data ships with the install."""
