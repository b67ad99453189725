"""The functional positions (jabatan fungsional) explained: positions, their levels, the schemes that serve them."""
