"""zhengce (政策通): read, restore, structure and cite Chinese government documents."""

__version__ = "0.1.0"
