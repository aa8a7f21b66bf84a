from catalog.cli import main

main(prog_name="agent-catalog")
