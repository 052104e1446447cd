"""`just bench`: every benchmark, figures printed side by side. Nothing here asserts a speed."""

from tools.bench import database


def main() -> None:
    print("Blossom benchmarks (figures vary with machine load; compare rows measured in the same run)")
    database.run_all()


if __name__ == "__main__":
    main()
