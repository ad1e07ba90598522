from explorer.components import theme_page

theme_page("provision")
