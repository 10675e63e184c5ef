"""The pre-scan of HCL native text, before the lark grammar sees it.

Walks the text the way the grammar will: collects the comments (and blanks them, so a
comment is whitespace wherever HCL allows it), checks that brackets, strings, heredocs and
comments are closed for a clear error, finds where an interpolation ends, and papers over two
gaps of the grammar (``${~ x ~}`` strip markers, a heredoc closing marker followed by spaces).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from batchlint.sources.hcl_ast import Comment, HclError
from batchlint.sources.hcl_common import MAX_DEPTH, At

_EXPR_STOP = re.compile(r"#|//|/\*|\"|<<|[{}\[\]()]")
_STRING_STOP = re.compile(r"\$\$\{|%%\{|\$\{|%\{|[\"\\\n]")
HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_CLOSERS = {"(": ")", "[": "]", "{": "}", "${": "}", "%{": "}"}


class Frame(NamedTuple):
    kind: str  # ( [ { ${ %{ or "
    offset: int


def heredoc_end(text: str, marker: str, start: int) -> re.Match[str] | None:
    # Like Terraform, the closing marker may be indented and followed by spaces.
    pattern = re.compile(r"^[ \t]*" + re.escape(marker) + r"([ \t]*)\r?$", re.M)
    return pattern.search(text, start)


class Lexer:
    """Walks HCL text the way the grammar will, to collect comments, check that brackets,
    strings, heredocs and comments are closed, and find where an interpolation ends."""

    def __init__(self, text: str, at: At) -> None:
        self.text = text
        self.at = at
        self.comments: list[Comment] = []
        self._edits: list[tuple[int, int, str]] = []
        if text.startswith("\ufeff"):
            self._edits.append((0, 1, " "))

    def error(self, message: str, offset: int) -> HclError:
        pos = self.at(offset)
        return HclError(message, pos.line, pos.column)

    def sanitized(self) -> str:
        """The text with comments and strip markers blanked (newlines kept), same length."""
        parts, last = [], 0
        for start, end, new in sorted(self._edits):
            parts += [self.text[last:start], new]
            last = end
        parts.append(self.text[last:])
        return "".join(parts)

    def scan(self, start: int, stack: list[Frame]) -> int:
        """Scans from ``start``. With frames on ``stack``, returns the offset of the ``}``
        that closes the first one; with none, scans to the end."""
        text, base, i = self.text, len(stack), start
        while True:
            if stack and stack[-1].kind == '"':
                i = self._string_step(i, stack)
                continue
            m = _EXPR_STOP.search(text, i)
            if m is None:
                if stack:
                    top = stack[-1]
                    opened = self.at(top.offset).line
                    raise self.error(f"unclosed '{top.kind}' opened at line {opened}", top.offset)
                return len(text)
            token, s = m.group(), m.start()
            i = m.end()
            if token in ("#", "//", "/*"):
                i = self._comment(token, s)
            elif token == "<<":
                i = self._heredoc(s)
            elif token in ('"', "(", "[", "{"):
                self._push(stack, Frame(token, s))
            elif self._close(stack, token, s) and len(stack) < base:
                return s

    def _push(self, stack: list[Frame], frame: Frame) -> None:
        if len(stack) >= MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels", frame.offset)
        stack.append(frame)

    def _close(self, stack: list[Frame], token: str, offset: int) -> bool:
        if not stack:
            raise self.error(f"unexpected '{token}': nothing is open here", offset)
        top = stack[-1]
        if _CLOSERS[top.kind] != token:
            line = self.at(top.offset).line
            raise self.error(f"'{token}' does not close '{top.kind}' opened at line {line}", offset)
        if top.kind in ("${", "%{"):
            self._strip_marker_before(top, offset)
        stack.pop()
        return True

    def _string_step(self, i: int, stack: list[Frame]) -> int:
        text = self.text
        m = _STRING_STOP.search(text, i)
        if m is None or m.group() == "\n":
            raise self.error("unterminated string", stack[-1].offset)
        token = m.group()
        if token == '"':
            stack.pop()
            return m.end()
        if token == "\\":
            if m.end() >= len(text) or text[m.end()] == "\n":
                raise self.error("unterminated string", stack[-1].offset)
            return m.end() + 1
        if token in ("$${", "%%{"):
            # the grammar's escape token runs to the next `}`, wherever that is: hide the
            # brace from it (the template reader reads the original text)
            self._edits.append((m.end() - 1, m.end(), " "))
            return m.end()
        self._push(stack, Frame(token, m.start()))
        j = m.end()
        if text.startswith("~", j):  # the grammar has no strip marker after `${`
            self._edits.append((j, j + 1, " "))
            j += 1
        return j

    def _strip_marker_before(self, frame: Frame, close: int) -> None:
        j = close - 1
        while j > frame.offset + 2 and self.text[j] in " \t\r\n":
            j -= 1
        if j > frame.offset + 2 and self.text[j] == "~":
            self._edits.append((j, j + 1, " "))

    def _comment(self, token: str, start: int) -> int:
        text = self.text
        if token == "/*":
            end = text.find("*/", start + 2)
            if end == -1:
                raise self.error("unterminated comment: no '*/' closes '/*'", start)
            body, end = text[start + 2 : end], end + 2
        else:
            end = text.find("\n", start)
            end = len(text) if end == -1 else end
            body = text[start + len(token) : end]
        self.comments.append(Comment(body.strip(), self.at(start)))
        self._edits.append((start, end, re.sub(r"[^\n]", " ", text[start:end])))
        return end

    def _heredoc(self, start: int) -> int:
        m = HEREDOC.match(self.text, start)
        if m is None:
            return start + 2  # not a heredoc: the grammar reports it
        marker = m.group(2)
        end = heredoc_end(self.text, marker, m.end())
        if end is None:
            raise self.error(f"unterminated heredoc: no line '{marker}' closes '<<{marker}'", start)
        if end.group(1):  # the grammar wants the marker last on its line: right-align it
            line = self.text[end.start() : end.end(1)]
            self._edits.append((end.start(), end.end(1), marker.rjust(len(line))))
        return end.end()
