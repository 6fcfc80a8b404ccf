"""A synapse pathway's statements, as Brian2 generates them for event-driven variables.

Brian2 writes a pathway (``on_pre``, ``on_post``) as the updates that bring
each event-driven variable from its ``lastupdate`` to ``t`` followed by the
user's statements; :func:`split_pathway` separates the two, so that the
renderers can compute the decays once per source or target neuron.
"""
from __future__ import annotations


def split_pathway(block, event_driven):
    """(decays, user statements) of a pathway block: ``decays[x]`` is the expression Brian2 gives for
    event-driven variable ``x`` brought from ``lastupdate`` to ``t``."""
    decays, user = {}, []
    ev = set(event_driven)
    for s in block["vector"]:
        if s["op"] == ":=" and s["var"].startswith("__") and s["var"][2:] in ev and s["var"][2:] not in decays:
            decays[s["var"][2:]] = s["expr"]
        elif s["op"] == "=" and s["var"] in ev and s["expr"] == "__" + s["var"] and not user:
            continue
        elif s["var"] == "lastupdate" and s["expr"] == "t":
            continue
        else:
            user.append(s)
    return decays, user
