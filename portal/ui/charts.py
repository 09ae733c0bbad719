"""Altair charts drawn from a cached Vega-Lite spec, shared by every visitor of the process.

Building an altair chart (encodings inferred and validated against the schema) and turning it
into a spec cost more than the rest of a page visit on the pages that show one (issue 17). The
spec depends only on the builder, its arguments (the chart's data included) and the visitor's
language, so it is built once per distinct input and the page sends the same element
`st.altair_chart` would send (the same conversion: Streamlit's own theme and Arrow datasets).
"""
from __future__ import annotations

import hashlib
import importlib
import pickle
from typing import Callable

import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from portal import i18n


@st.cache_data(max_entries=500, show_spinner=False)
def _spec(builder: str, language: str, digest: str, _args: tuple, _kwargs: dict) -> dict:
    module, name = builder.split(":")
    chart = getattr(importlib.import_module(module), name)(*_args, **_kwargs)
    return _convert_altair_to_vega_lite_spec(chart)


def spec(builder: Callable, *args, **kwargs) -> dict:
    """The Vega-Lite spec of builder(*args, **kwargs), a module-level function returning an
    altair chart. Keyed on the pickled arguments (Streamlit's own hashing of a data frame
    cost more than building the chart) and the language (builders translate their titles)."""
    digest = hashlib.sha256(pickle.dumps((args, kwargs), protocol=5)).hexdigest()
    return _spec(f"{builder.__module__}:{builder.__qualname__}", i18n.current(), digest, args, kwargs)


def altair_chart(builder: Callable, *args, **kwargs) -> None:
    """st.altair_chart(builder(*args, **kwargs), width="stretch"), from the cached spec."""
    st.vega_lite_chart(spec=spec(builder, *args, **kwargs), width="stretch")
