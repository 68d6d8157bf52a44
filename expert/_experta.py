"""The one place that imports experta.

experta 1.9.4 pins ``frozendict==1.2``, and frozendict 1.2 does
``from collections import Mapping``. Those aliases left ``collections`` in
Python 3.10, so the import fails there. We keep experta's pin (it is the last
release and the combination is what we test) and put the moved names back on
``collections`` before experta is first imported.

experta's Rete matcher caches its list of conflict-set nodes with a
class-level ``lru_cache(maxsize=1)``. Accord runs one engine per inference
stage, so that cache would be evicted at every stage change; ``StageMatcher``
keeps the list per matcher instead. Likewise ``reset()`` rediscovers the
engine's DefFacts by introspecting every attribute (hundreds of rules) each
time; ``StageEngine`` finds them once, since a compiled engine never changes.
"""

import collections
import collections.abc

for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import logging  # noqa: E402

from experta import AS, TEST, Fact, KnowledgeEngine, P, Rule  # noqa: E402
from experta.matchers import ReteMatcher  # noqa: E402

# experta calls logging.basicConfig() on import and logs every match at
# DEBUG/INFO; silence it so a consultation never prints experta's chatter.
logging.getLogger("experta").setLevel(logging.WARNING)


class StageMatcher(ReteMatcher):
    """A Rete matcher whose conflict-set node list is cached per instance.

    ``changes()`` runs before every firing and asks every conflict-set node
    (one per rule) for its new activations, which makes each node allocate
    two new empty sets. Here only the nodes that have changes are asked; the
    others would answer with nothing, so the activations and their order are
    the same.
    """

    def _get_conflict_set_nodes(self):
        nodes = self.__dict__.get("_conflict_set_nodes")
        if nodes is None:
            nodes = ReteMatcher._get_conflict_set_nodes.__wrapped__(self)
            self.__dict__["_conflict_set_nodes"] = nodes
        return nodes

    def changes(self, adding=None, deleting=None):
        if deleting is not None:
            for deleted in deleting:
                self.root_node.remove(deleted)
        if adding is not None:
            for added in adding:
                self.root_node.add(added)
        added, removed = [], []
        for node in self._get_conflict_set_nodes():
            if node.added or node.removed:
                node_added, node_removed = node.get_activations()
                added.extend(node_added)
                removed.extend(node_removed)
        return added, removed


class StageEngine(KnowledgeEngine):
    """A KnowledgeEngine whose DefFacts are looked up once, not at every reset."""

    __matcher__ = StageMatcher

    def get_deffacts(self):
        found = self.__dict__.get("_deffacts")
        if found is None:
            found = self.__dict__["_deffacts"] = KnowledgeEngine.get_deffacts(self)
        return found


__all__ = ["AS", "TEST", "Fact", "KnowledgeEngine", "P", "Rule", "StageEngine", "StageMatcher"]
