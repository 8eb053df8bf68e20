# The shared fixtures (a small tree, its members and a user for every role, and the browser
# of the browser tests) serve the tests under tests/ and those inside each app.
pytest_plugins = ["tests.fixtures", "tests.e2e.browser"]
