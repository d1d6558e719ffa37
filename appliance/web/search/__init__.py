"""The search box in every page's header, and its results page."""
