"""Retrieval-augmented answering: find the relevant chunks, then compose an answer."""
from dataclasses import dataclass, field

import agent_tools
import text_utils
from vector_store import VectorStore

NO_ANSWER = "I could not find anything about that in the indexed documents."


@dataclass
class Answer:
    text: str
    sources: list = field(default_factory=list)
    tool: str | None = None


def _best_sentence(question, text):
    wanted = set(text_utils.tokenize(question, drop_stopwords=True))
    candidates = text_utils.sentences(text) or [text]
    return max(candidates, key=lambda sentence: len(wanted & set(text_utils.tokenize(sentence))))


def compose(question, hits):
    best = hits[0]
    sentence = _best_sentence(question, best.text)
    answer = f"According to \"{best.title or 'the documents'}\": {text_utils.truncate(sentence, 280)}"
    others = sorted({hit.title for hit in hits[1:] if hit.title and hit.title != best.title})
    if others:
        answer += f" (see also: {', '.join(others)})"
    return answer


def run(question, store=None, k=None):
    """Answer ``question``: with a tool when one applies, else from the vector store."""
    tool = agent_tools.pick_tool(question)
    if tool is not None:
        try:
            result = agent_tools.call(tool, question)
        except agent_tools.ToolError as error:
            return Answer(text=f"The {tool} could not answer: {error}", tool=tool)
        return Answer(text=str(result), tool=tool)
    if store is None:
        store = VectorStore.from_database()
    hits = store.search(question, k=k)
    if not hits:
        return Answer(text=NO_ANSWER)
    sources = [hit.to_dict() for hit in hits]
    return Answer(text=compose(question, hits), sources=sources)
