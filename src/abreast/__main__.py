from abreast.cli.main import run

run()
