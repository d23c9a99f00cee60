"""The Streamlit building blocks the pages share, one module per job: frame (the page frame), tiles, downloads,
tables, comparisons (units against the province), trends, targets, figures (cached figure builders), meetings and tree
(the documents' buttons are reports/panel.py: reports build on the dashboard, not the reverse).
Pages import the modules they use (`from dashboard.ui import frame, tiles`); nothing is re-exported here."""
