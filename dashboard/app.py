"""Entry point: `streamlit run dashboard/app.py` (registers the pages of pages/ with st.navigation)."""
import streamlit as st

st.set_page_config(page_title="Chất lượng tổ chức đảng", layout="wide")
st.title("Chất lượng tổ chức đảng và đảng viên")
st.info("Đang xây dựng.")
