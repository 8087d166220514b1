from salesctl.cli import main

main(prog_name="salesctl")
