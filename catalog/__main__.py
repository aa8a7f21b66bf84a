from catalog.cli.main import run

run()
