import click


@click.group()
def main():
    """Accord."""
