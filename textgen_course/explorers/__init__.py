"""The chapters' ipywidgets explorers: one module per chapter; each computes its view in a plain, tested function."""
