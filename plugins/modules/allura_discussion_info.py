#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_discussion_info
short_description: Read the forums of an Allura discussion tool, the topics of a forum, or the posts of a topic
version_added: 0.2.0
description:
  - Without O(forum), returns the forums of the discussion tool at O(mount_point).
  - With O(forum), returns that forum and its topics (sticky and announcement topics first, then the most recently
    active).
  - With O(forum) and O(topic), returns that topic and its posts, oldest first.
  - Every list is read over all its pages, or up to O(limit) items.
  - Forums, topics and posts cannot be created over the REST API; this module only reads. Topics whose only post is
    held for moderation, and posts held for moderation, are not shown by the server.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  mount_point:
    description: Mount point of the discussion tool (a C(discussion) tool).
    type: str
    default: discussion
  forum:
    description: Short name of a forum (the last part of its URL, such as V(general)).
    type: str
  topic:
    description: Id of a topic of O(forum) (C(_id) of an item of RV(topics), the last part of its URL). Needs O(forum).
    type: str
  limit:
    description: Return at most this many forums, topics or posts (1 or more); by default all of them.
    type: int
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: The forums of the project
  allura.forge.allura_discussion_info:
    project: myproj
  register: discussion

- name: The 20 most active topics of the support forum
  allura.forge.allura_discussion_info:
    project: myproj
    forum: support
    limit: 20
  register: support

- name: Every post of the first of them
  allura.forge.allura_discussion_info:
    project: myproj
    forum: support
    topic: "{{ support.topics[0]._id }}"
  register: thread
'''

RETURN = r'''
forums:
  description: The forums, by short name, each with C(_id), C(shortname), C(name), C(description), C(num_topics),
    C(url) and C(last_post) (the newest post, or null).
  returned: when O(forum) is not given
  type: list
  elements: dict
forum:
  description: The forum (C(_id), C(shortname), C(name), C(description)).
  returned: when O(forum) is given without O(topic)
  type: dict
topics:
  description: The forum's topics, each with C(_id), C(subject), C(num_replies), C(num_views), C(url) and C(last_post).
  returned: when O(forum) is given without O(topic)
  type: list
  elements: dict
topic:
  description: The topic (C(_id), C(subject), C(discussion_id)).
  returned: when O(topic) is given
  type: dict
posts:
  description: The topic's posts, oldest first, each with C(slug) (a reply's is C(parent/child)), C(text), C(author),
    C(timestamp), C(subject), C(last_edited) and C(attachments).
  returned: when O(topic) is given
  type: list
  elements: dict
extends_documentation_fragment:
  - allura.forge.results
'''

from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._read import check_limit, check_not_blank, read_checked

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    mount_point=dict(type='str', default='discussion'),
    forum=dict(type='str'),
    topic=dict(type='str'),
    limit=dict(type='int'),
)
REQUIRED_BY = dict(topic='forum')


def run(params, client, ctx):
    project = Project(client, params['neighborhood'], params['project'])
    mount_point, forum, topic = params['mount_point'], params.get('forum'), params.get('topic')
    limit = check_limit(params)
    check_not_blank(params, 'forum', 'topic')
    where = '%s %s' % (project.label, mount_point)

    def missing():  # a 404: say whether the project, the tool, the forum or the topic is not there
        found = project.missing(mount_point)
        if found[1] != 'item':
            return found
        forums = [f['shortname'] for f in client.read_list(project.path(mount_point), 'forums')[1]]
        if forum not in forums:
            return 'forum %r not found in %s (its forums: %s)' % (forum, where, ', '.join(forums) or 'none'), 'item'
        return 'topic %r not found in forum %r of %s' % (topic, forum, where), 'item'

    def read():
        if forum is None:
            return client.read_list(project.path(mount_point), 'forums', max_items=limit, not_found=missing)
        if topic is None:
            return client.read_list(project.path(mount_point, forum), ('forum', 'topics'), max_items=limit, not_found=missing,
                                    counts_hidden=True)  # topics whose only post is held are counted, never listed
        return client.read_list(project.path(mount_point, forum, 'thread', topic), ('topic', 'posts'), max_items=limit,
                                not_found=missing)

    first, items = read_checked(project, mount_point, ('discussion',), 'allura_discussion_info', read)
    if forum is None:
        return dict(changed=False, forums=items)
    if topic is None:
        return dict(changed=False, forum={k: v for k, v in first['forum'].items() if k != 'topics'}, topics=items)
    return dict(changed=False, topic={k: v for k, v in first['topic'].items() if k not in ('posts', 'limit', 'page')},
                posts=items)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
