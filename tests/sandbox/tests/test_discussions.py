"""Forums, artifact threads, moderation, blog slugs and ticket search, beyond what the recordings show.

Where a behaviour is not in the recordings it was checked on a real Allura (the server the recordings
come from), as noted on each test; ``data/forum_topics_real.json`` holds the forum reads of such a check.
"""

import json
import os

import pytest

from contract_values import Generated
from sandbox_http import ADMIN, USER, call, get, post

HERE = os.path.dirname(os.path.abspath(__file__))
THREAD = '/rest/p/test/bugs/_discuss/thread/%s/'


def _ticket_thread(sandbox, summary='Target', **fields):
    form = {'ticket_form.summary': summary}
    form.update(('ticket_form.' + k, v) for k, v in fields.items())
    number = post(sandbox, '/rest/p/test/bugs/new', form).headers['location'].rstrip('/').rsplit('/', 1)[1]
    return get(sandbox, '/rest/p/test/bugs/%s/' % number).json['ticket']['discussion_thread']['_id']


def _comment(sandbox, thread, text, token=ADMIN, parent=None):
    path = THREAD % thread + ('%s/reply' % parent if parent else 'new')
    result = post(sandbox, path, {'text': text}, token=token)
    assert result.status == 302, result
    return result.headers['location'].split('/_discuss/thread/%s/' % thread, 1)[1].rstrip('/')


# -- forums -----------------------------------------------------------------------------------

def test_seeded_topics_read_like_a_real_server(sandbox, sb):
    """Topics made through a real Allura's web form, then read over REST: the seeded ones read alike, values
    included (ids, dates and slugs correspond one to one)."""
    with open(os.path.join(HERE, 'data', 'forum_topics_real.json'), encoding='utf-8') as handle:
        real = json.load(handle)
    sb.seed_topic(subject='First topic', posts=[{'text': 'Hello forum'}])
    sb.seed_topic(subject='Second topic', posts=[{'text': 'Another'}])
    generated = Generated(real['base_url'], sandbox)
    for exchange in real['exchanges']:
        served = get(sandbox, generated.translate(exchange['path']))
        assert served.status == exchange['status']
        assert generated.diff(exchange['json'], served.json) == [], exchange['path']


def test_topic_posts_replies_and_paging(sandbox, sb):
    topic = sb.seed_topic(forum='general', subject='Help', num_views=7, posts=[
        {'text': 'Question', 'author': 'test-user'}, {'text': 'Answer', 'reply_to': 0}, 'Thanks'])
    slugs = [p['slug'] for p in topic['posts']]
    assert slugs[1].startswith(slugs[0] + '/') and topic['posts'][0]['status'] == 'ok'
    url = '/rest/p/test/discussion/general/thread/%s/' % topic['_id']
    page = get(sandbox, url + '?limit=2&page=1').json
    assert (page['count'], page['limit'], page['page']) == (3, 2, 1)
    assert [p['text'] for p in page['topic']['posts']] == ['Thanks']
    assert page['topic']['subject'] == 'Help' and page['topic']['posts'][0]['subject'] == 'Help'
    entry = get(sandbox, '/rest/p/test/discussion/general/').json['forum']['topics'][0]
    assert (entry['num_replies'], entry['num_views'], entry['last_post']['text']) == (3, 7, 'Thanks')
    assert (entry['last_post']['author'], page['topic']['posts'][0]['author']) == ('test-admin', 'test-admin')
    assert get(sandbox, '/rest/p/test/discussion/general/thread/%s/x/' % topic['_id']).status == 404
    assert get(sandbox, '/rest/p/test/discussion/general/thread/').status == 404


def test_topics_order_and_held_topics(sandbox, sb):
    sb.seed_topic(subject='Old news')
    sb.seed_topic(subject='Pinned', flags=['Sticky'])
    sb.seed_topic(subject='Fresh')
    held = sb.seed_topic(subject='Spam?', posts=[{'text': 'buy now', 'author': 'test-user', 'status': 'pending'}])
    assert held['posts'][0]['status'] == 'pending'
    forum = get(sandbox, '/rest/p/test/discussion/general/').json
    assert [t['subject'] for t in forum['forum']['topics']] == ['Pinned', 'Fresh', 'Old news']  # flags, then newest
    assert forum['count'] == 4  # a topic whose only post is held is counted, not listed
    listing = get(sandbox, '/rest/p/test/discussion/').json['forums'][0]
    assert listing['num_topics'] == 4 and listing['last_post']['text'] == 'Fresh'


def test_seeding_a_new_forum(sandbox, sb):
    sb.seed_topic(forum='support', forum_name='Support', forum_description='Ask here', subject='Q')
    forums = get(sandbox, '/rest/p/test/discussion/?limit=1&page=1').json
    assert (forums['count'], forums['limit'], forums['page']) == (2, 1, 1)
    assert [(f['shortname'], f['name'], f['num_topics']) for f in forums['forums']] == [('support', 'Support', 1)]


@pytest.mark.parametrize('spec,message', [
    ({'forum': 'nope', 'subject': 'x'}, 'no forum'),
    ({'mount_point': 'wiki', 'subject': 'x'}, 'no discussion tool'),
    ({'subject': 'x', 'posts': [{'text': 'a', 'author': 'ghost'}]}, 'no user'),
    ({'subject': 'x', 'posts': [{'text': 'a', 'reply_to': 0}]}, 'reply_to'),
    ({'subject': 'x', 'posts': [{'text': 'a', 'status': 'spam'}]}, 'status'),
    ({'subject': 'x', 'flags': ['Hot']}, 'flags'),
    ({'subject': 'x', 'colour': 'red'}, 'unknown keys'),
])
def test_topic_control_refuses_bad_specs(sandbox, sb, spec, message):
    status, body = sb.json('POST', '/_sandbox/topics', data=json.dumps(spec), headers={'Content-Type': 'application/json'})
    assert status == 400 and message in body['error']
    assert get(sandbox, '/rest/p/test/discussion/general/').json['count'] == 0
    assert len(get(sandbox, '/rest/p/test/discussion/').json['forums']) == 1


def test_forum_paging_parameters(sandbox):
    """As a real Allura: a page that is not a number is a 500, a limit that is not one is 25, limit=0 is 1."""
    assert get(sandbox, '/rest/p/test/discussion/?page=abc').status == 500
    assert get(sandbox, '/rest/p/test/discussion/general/?page=abc').status == 500
    assert get(sandbox, '/rest/p/test/discussion/?limit=abc').json['limit'] == 25
    assert get(sandbox, '/rest/p/test/discussion/general/?limit=0').json['limit'] == 1
    assert get(sandbox, '/rest/p/test/discussion/?limit=700&page=-2').json['limit'] == 500
    assert get(sandbox, '/rest/p/test/discussion/?page=-2').json['page'] == 0


# -- artifact threads -------------------------------------------------------------------------

def test_thread_paging_parameters(sandbox):
    """h.paging_sanitizer, as a real Allura answers: no 500 for bad values, limit 1..500, no clamp of page."""
    thread = _ticket_thread(sandbox)
    slugs = [_comment(sandbox, thread, 'c%d' % n) for n in range(3)]
    for query, limit, page, shown in [('limit=0', 1, 0, slugs[:1]), ('limit=abc', 25, 0, slugs), ('page=abc', 25, 0, slugs),
                                      ('limit=1&page=-3', 1, 0, slugs[:1]), ('limit=1&page=7', 1, 7, []),
                                      ('limit=600', 500, 0, slugs)]:
        body = get(sandbox, THREAD % thread + '?' + query).json['thread']
        assert (body['limit'], body['page'], [p['slug'] for p in body['posts']]) == (limit, page, shown), query


def test_replies_and_unknown_posts(sandbox):
    """Checked on a real Allura: an unknown slug redirects to its parent ('..'), also for reply; reply needs
    POST and a text."""
    thread = _ticket_thread(sandbox)
    first = _comment(sandbox, thread, 'first')
    base = THREAD % thread
    assert post(sandbox, base + 'zzzz/reply', {'text': 'x'}).headers['location'].endswith(base)
    assert post(sandbox, base + first + '/zzzz/reply', {'text': 'x'}).headers['location'].endswith(base + first + '/')
    assert get(sandbox, base + first + '/zzzz/').headers['location'].endswith(base + first + '/')
    assert post(sandbox, base + first + '/reply', {}).status == 500
    assert get(sandbox, base + first + '/reply').status == 405
    reply = _comment(sandbox, thread, 'second', parent=first)
    assert get(sandbox, base + reply + '/').json['post']['slug'] == reply


def test_posts_held_for_moderation(sandbox, sb):
    """Checked on a real Allura with unmoderated_post given to Developers only: the post is made (302 to its
    URL), but its URL answers 404 to its author and to anonymous readers, a moderator reads it as pending, and
    no thread listing shows it; a moderator's reply to it is approved and listed."""
    thread = _ticket_thread(sandbox)
    sb.tool_acl('bugs', 'unmoderated_post', 'Developer')
    assert get(sandbox, '/rest/p/test/bugs/has_access?user=test-user&perm=unmoderated_post').json == {'result': False}
    held = _comment(sandbox, thread, 'held?', token=USER)
    url = THREAD % thread + held + '/'
    assert get(sandbox, url, token=USER).status == 404
    assert get(sandbox, url, token=None).status == 404
    seen = get(sandbox, url).json['post']
    assert (seen['status'], seen['text'], seen['author']) == ('pending', 'held?', 'test-user')
    replied = _comment(sandbox, thread, 'admin reply', parent=held)
    user_reply = _comment(sandbox, thread, 'user reply', token=USER, parent=held)
    listed = [p['slug'] for p in get(sandbox, THREAD % thread).json['thread']['posts']]
    assert listed == [replied]
    assert [p['slug'] for p in get(sandbox, '/rest/p/test/bugs/1/').json['ticket']['discussion_thread']['posts']] == [replied]
    assert get(sandbox, THREAD % thread + user_reply + '/').json['post']['status'] == 'pending'


def test_tool_acl_control(sandbox, sb):
    sb.tool_acl('bugs', 'post', None)  # nobody by the ACL: project admins still may (they hold every permission)
    thread = _ticket_thread(sandbox)
    assert post(sandbox, THREAD % thread + 'new', {'text': 'x'}, token=USER).status == 403
    assert post(sandbox, THREAD % thread + 'new', {'text': 'x'}).status == 302
    status, body = sb.json('POST', '/_sandbox/acl', data=json.dumps({'mount_point': 'nope', 'permission': 'post', 'role': None}),
                           headers={'Content-Type': 'application/json'})
    assert status == 400 and 'no tool' in body['error']
    sb.reset()
    assert post(sandbox, THREAD % _ticket_thread(sandbox) + 'new', {'text': 'x'}, token=USER).status == 302


def test_post_subjects_follow_the_artifact(sandbox):
    thread = _ticket_thread(sandbox, summary='Old summary')
    slug = _comment(sandbox, thread, 'x')
    post(sandbox, '/rest/p/test/bugs/1/save', {'ticket_form.summary': 'New summary'})
    assert get(sandbox, THREAD % thread + slug + '/').json['post']['subject'] == '#1 New summary'


# -- blog -------------------------------------------------------------------------------------

def test_blog_slugs_like_allura(sandbox):
    """BlogPost.make_base_slug, checked on a real Allura: spaces become dashes, other characters that are not
    letters or digits go, letters keep their accents; an empty title gives an empty slug."""
    made = post(sandbox, '/rest/p/test/blog/', {'title': 'Café & Crème!  2.0', 'text': 'x'})
    assert made.status == 201
    assert made.headers['location'].encode('latin-1').decode('utf-8', 'replace')  # sent as Latin-1, like Allura
    listing = get(sandbox, '/rest/p/test/blog/').json['posts']
    assert listing[0]['url'].endswith('/caf\u00e9--cr\u00e8me--20/')
    assert get(sandbox, '/rest/p/test/blog/%s/caf%%C3%%A9--cr%%C3%%A8me--20/' % listing[0]['url'].split('/blog/')[1][:7]).status == 200
    post(sandbox, '/rest/p/test/blog/', {'title': '', 'text': 'x'})
    assert get(sandbox, '/rest/p/test/blog/').json['posts'][0]['url'].endswith('//')


def test_blog_title_outside_latin1_is_created_but_answers_500(sandbox, sb):
    """Checked on a real Allura: the Location of such a post cannot be sent (HTTP headers are Latin-1), so the
    WSGI server answers 500 after the post was made."""
    made = post(sandbox, '/rest/p/test/blog/', {'title': '\u65e5\u672c news', 'text': 'x', 'state': 'published'})
    assert made.status == 500 and made.content_type.startswith('text/plain')
    assert [p['title'] for p in get(sandbox, '/rest/p/test/blog/').json['posts']] == ['\u65e5\u672c news']
    assert sb.log()['requests'][-2]['write'] is True


def test_blog_title_clash_suffix(sandbox):
    urls = [post(sandbox, '/rest/p/test/blog/', {'title': 'Same', 'text': 'x'}).headers['location'] for _index in range(3)]
    assert len(set(urls)) == 3
    assert urls[0].endswith('/same/')
    assert all(url[:-1].rsplit('-', 1)[1].isdigit() and len(url[:-1].rsplit('-', 1)[1]) == 3 for url in urls[1:])


def test_blog_list_paging_parameters(sandbox):
    """As a real Allura: limit=0 is 1, a limit or page that is not a number is 25 / 0, a page past the end is
    the last page."""
    for index in range(3):
        post(sandbox, '/rest/p/test/blog/', {'title': 'P%d' % index, 'text': 'x'})
    assert get(sandbox, '/rest/p/test/blog/?limit=0').json['limit'] == 1
    assert (get(sandbox, '/rest/p/test/blog/?limit=abc&page=abc').json['limit'], get(sandbox, '/rest/p/test/blog/?page=abc').json['page']) == (25, 0)
    last = get(sandbox, '/rest/p/test/blog/?limit=2&page=9').json
    assert (last['page'], [p['title'] for p in last['posts']]) == (1, ['P0'])


# -- ticket search (a real Solr, not the recordings' stand-in) --------------------------------

@pytest.fixture
def tickets(sandbox):
    for form in ({'summary': 'Crash on start', 'status': 'open', 'labels': 'bug,ui', 'description': 'It crashes'},
                 {'summary': 'Add export', 'status': 'closed', 'labels': 'feature', '_milestone': '2.0'},
                 {'summary': 'Crash when saving', 'status': 'open', 'assigned_to': 'test-admin'}):
        post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.' + k: v for k, v in form.items()})
    return sandbox


@pytest.mark.parametrize('query,numbers', [
    ('q=crash', [3, 1]),
    ('q=CRASH+saving', [3]),
    ('q=status:open', [3, 1]),
    ('q=status:open+-assigned_to:test-admin', [1]),
    ('q=labels:feature+OR+labels:ui', [2, 1]),
    ('q=milestone:2.0', [2]),
    ('q=assigned_to:$USER', [3]),
    ('q=status:open&sort=ticket_num_i+asc', [1, 3]),
    ('q=reported_by:test-admin&limit=1&page=1', [2]),
    ('q=nothing', []),
    ('', []),
])
def test_search(tickets, query, numbers):
    body = get(tickets, '/rest/p/test/bugs/search?' + query).json
    assert [t['ticket_num'] for t in body['tickets']] == numbers
    assert all('description' not in t and 'discussion_thread' not in t for t in body['tickets'])


def test_search_counts_facets_and_errors(tickets):
    body = get(tickets, '/rest/p/test/bugs/search?q=reported_by:test-admin&limit=1').json
    assert (body['count'], body['limit'], body['page'], body['sort']) == (3, 1, 0, None)
    assert body['filter_choices'] == {'status': [['closed', 1], ['open', 2]], 'reported_by': [['test-admin', 3]],
                                      'assigned_to': [['test-admin', 1]], '_milestone': [['2.0', 1]]}
    assert get(tickets, '/rest/p/test/bugs/search?q=crash&sort=summary_t+asc').status == 500  # Solr cannot sort on text
    anonymous = call(tickets, 'GET', '/rest/p/test/bugs/search?q=crash')
    assert anonymous.status == 200 and anonymous.json['count'] == 2
