"""Excel workbooks and shell exports. No Streamlit here."""
