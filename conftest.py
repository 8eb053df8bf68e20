# The shared fixtures (a small tree, its members and a user for every role) serve the tests
# under tests/ and those inside each app.
pytest_plugins = ["tests.fixtures"]
