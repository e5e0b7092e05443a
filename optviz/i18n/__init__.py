"""The words: text by key from one TOML file per language (locales/), and a race's networks in words."""
