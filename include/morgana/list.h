/* SPDX-License-Identifier: ISC */
/*
 * list.h -- a tiny intrusive doubly linked list.
 *
 * A struct mg_list is both the head of a list and the link embedded in each element; a
 * head is an element that carries no data. An initialised, unlinked node points to
 * itself, so "am I on a list?" is one compare and removing twice is harmless.
 * Nothing here allocates.
 */
#ifndef MORGANA_LIST_H
#define MORGANA_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct mg_list {
	struct mg_list *next;
	struct mg_list *prev;
};

/* The struct of type `type` whose member `member` is at ptr. */
#define mg_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define MG_LIST_INIT(name) { &(name), &(name) }

static inline void
mg_list_init(struct mg_list *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool
mg_list_empty(const struct mg_list *l)
{
	return l->next == l;
}

/* True if node is linked into some list (it was initialised with mg_list_init). */
static inline bool
mg_list_linked(const struct mg_list *node)
{
	return node->next != node;
}

static inline void
mg_list_insert_between(struct mg_list *node, struct mg_list *prev, struct mg_list *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

static inline void
mg_list_push_back(struct mg_list *head, struct mg_list *node)
{
	mg_list_insert_between(node, head->prev, head);
}

static inline void
mg_list_push_front(struct mg_list *head, struct mg_list *node)
{
	mg_list_insert_between(node, head, head->next);
}

/* Unlink node and leave it pointing to itself; a no-op on an unlinked node. */
static inline void
mg_list_remove(struct mg_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	mg_list_init(node);
}

/* The first node of head, or NULL if it is empty. */
static inline struct mg_list *
mg_list_first(const struct mg_list *head)
{
	return mg_list_empty(head) ? NULL : head->next;
}

/* Remove and return the first node, or NULL if the list is empty. */
static inline struct mg_list *
mg_list_pop_front(struct mg_list *head)
{
	struct mg_list *node = mg_list_first(head);

	if (node != NULL)
		mg_list_remove(node);
	return node;
}

/* Iterate over the nodes of head; `node` may be removed inside the loop body. */
#define mg_list_for_each_safe(node, tmp, head) \
	for ((node) = (head)->next, (tmp) = (node)->next; (node) != (head); \
	     (node) = (tmp), (tmp) = (node)->next)

#endif /* MORGANA_LIST_H */
