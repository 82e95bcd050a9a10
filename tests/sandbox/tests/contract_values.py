"""Value comparison for the contract test: recorded and served JSON must be equal, except for
what the server generates, which must correspond.

Generated values (REFERENCE 1.3, 9.1, 10.2 and the recordings READMEs) are ObjectIds, datetimes,
discussion thread ids, comment slugs, message ids, the year/month of a blog post URL and the random
``-NNN`` suffix of a clashing blog slug; plus the server's base URL.  They are not compared
literally: each kind is a one-to-one correspondence built up over the whole replay.  The first time
a recorded value meets a served one they are paired; from then on the recorded value must always
come back as the same served value, and no other recorded value may map to it.  So equal values
stay equal and different ones stay different: a comment on the same thread must name the same
thread id, an update answer's stale ``mod_date`` must be the previous one, two posts may not share
a slug.  Request paths of later exchanges are translated through the same correspondence.
"""

import re

# One pass over a string finds the generated parts, most specific first.
_TOKENS = re.compile(r'''
    (?P<date>\d{4}-\d{2}-\d{2}\ \d{2}:\d{2}:\d{2}(?:\.\d{6})?)
  | (?<=/blog/)(?P<month>\d{4}/\d{2})/(?P<post>[^/?#"<\s]+?)(?P<suffix>-\d{3})?(?=/)
  | (?<=/_discuss/thread/)(?P<thread>[0-9a-f]{10})(?P<slugs>(?:/[0-9a-f]{4})*)(?=/|$)
  | (?P<message>\b[0-9a-f]{40})(?=\.)
  | (?P<oid>\b[0-9a-f]{24}\b)
  | (?P<tid>\b[0-9a-f]{10}\b)
''', re.X)
_SLUG = re.compile(r'^[0-9a-f]{4}(?:/[0-9a-f]{4})*$')
KIND = {'date': 'date', 'month': 'month', 'suffix': 'slug suffix', 'thread': 'thread id', 'tid': 'thread id',
        'message': 'message id', 'oid': 'object id'}


def pieces(text, key=None):
    """The string as [(kind, text)]: kind None for literal text, else the kind of generated value."""
    if key == 'slug' and _SLUG.match(text):
        out = []
        for index, segment in enumerate(text.split('/')):
            out += ([(None, '/')] if index else []) + [('comment slug', segment)]
        return out
    out, pos = [], 0
    for match in _TOKENS.finditer(text):
        out.append((None, text[pos:match.start()]))
        if match.group('month'):
            out += [('month', match.group('month')), (None, '/' + match.group('post'))]
            if match.group('suffix'):
                out.append(('slug suffix', match.group('suffix')))
        elif match.group('thread'):
            out.append(('thread id', match.group('thread')))
            for segment in match.group('slugs').split('/')[1:]:
                out += [(None, '/'), ('comment slug', segment)]
        else:
            kind = next(KIND[name] for name, value in match.groupdict().items() if value and name in KIND)
            out.append((kind, match.group(0)))
        pos = match.end()
    out.append((None, text[pos:]))
    return [(kind, value) for kind, value in out if kind or value]


class Generated:
    """The correspondence of generated values between a recording and a replay."""

    def __init__(self, recorded_base, served_base):
        self.recorded_base = recorded_base.rstrip('/')
        self.served_base = served_base.rstrip('/')
        self.forward = {}   # (kind, recorded) -> served
        self.backward = {}  # (kind, served) -> recorded

    def pair(self, kind, recorded, served):
        """Whether recorded may stand for served (pairing them when both are new)."""
        known = self.forward.get((kind, recorded))
        if known is not None:
            return known == served
        if (kind, served) in self.backward:
            return False
        self.forward[(kind, recorded)] = served
        self.backward[(kind, served)] = recorded
        return True

    def translate(self, text):
        """A recorded path or URL with every generated value already paired replaced by its served value."""
        text = text.replace(self.recorded_base, self.served_base)
        return ''.join(value if kind is None else self.forward.get((kind, value), value) for kind, value in pieces(text))

    def text_diff(self, expected, actual, where='$', key=None):
        """[problem] between a recorded and a served string."""
        want = pieces(expected.replace(self.recorded_base, self.served_base), key)
        got = pieces(actual, key)
        if [kind for kind, _v in want] == [kind for kind, _v in got]:
            literal = all(w == g for (kind, w), (_k, g) in zip(want, got) if kind is None)
            if literal and all(self.pair(kind, w, g) for (kind, w), (_k, g) in zip(want, got) if kind):
                return []
            if literal:
                return ['%s: %r served, recorded %r (a generated value does not correspond to the one served '
                        'before for it)' % (where, actual, expected)]
        return ['%s: %r served, recorded %r' % (where, actual, expected)]

    def diff(self, expected, actual, where='$', key=None):
        """[problem] between a recorded and a served JSON value: equal, generated values corresponding."""
        if isinstance(expected, dict) and isinstance(actual, dict):
            problems = []
            for name in sorted(set(expected) | set(actual), key=str):
                if name not in actual:
                    problems.append('%s.%s missing' % (where, name))
                elif name not in expected:
                    problems.append('%s.%s unexpected (%r)' % (where, name, actual[name]))
                else:
                    problems += self.diff(expected[name], actual[name], '%s.%s' % (where, name), name)
            return problems
        if isinstance(expected, list) and isinstance(actual, list):
            if len(expected) != len(actual):
                return ['%s: %d items served, recorded %d (%r)' % (where, len(actual), len(expected), actual)]
            problems = []
            for index, (want, got) in enumerate(zip(expected, actual)):
                problems += self.diff(want, got, '%s[%d]' % (where, index), key)
            return problems
        if isinstance(expected, str) and isinstance(actual, str):
            return self.text_diff(expected, actual, where, key)
        if type(expected) is not type(actual) or expected != actual:  # noqa: E721  (True must not equal 1)
            return ['%s: %r served, recorded %r' % (where, actual, expected)]
        return []
