"""The web desk (``zansai serve``): the desk's operations in a browser and as a JSON API."""
