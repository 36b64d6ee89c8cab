"""The Streamlit app: auth, accounts, navigation, translations, formatting, widgets."""
