"""The app's shell: login, navigation, context (settings, engine, scope), URL state."""
