#include <stdlib.h>
#include <string.h>

#include "dlmeta.h"
#include "params.h"
#include "strbuf.h"

const char *
dlmeta_string(const json_t *meta, const char *key)
{
	const char	*s = json_string_value(json_object_get(meta, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

long long
dlmeta_length(const json_t *meta)
{
	const json_t	*v = json_object_get(meta, "content_length");
	long long	 n;

	if (json_is_integer(v))
		return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
	if (json_is_string(v) && parse_llong(json_string_value(v), &n) == 0 &&
	    n >= 0)
		return n;
	return -1;
}

/* Copy a quoted Python string starting at *P (its quote) as a JSON string. */
static int
py_string(const char **p, struct strbuf *out)
{
	char	 q = **p;
	const char *s = *p + 1;

	strbuf_puts(out, "\"");
	for (; *s != '\0' && *s != q; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			/* \' needs no escape in JSON; the rest carry over. */
			if (*s == '\'')
				strbuf_puts(out, "'");
			else {
				strbuf_puts(out, "\\");
				strbuf_add(out, s, 1);
			}
		} else if (*s == '"')
			strbuf_puts(out, "\\\"");
		else
			strbuf_add(out, s, 1);
	}
	if (*s != q)
		return -1;
	strbuf_puts(out, "\"");
	*p = s + 1;
	return 0;
}

char *
dlmeta_pyliteral_to_json(const char *s)
{
	static const struct { const char *py, *json; } words[] = {
		{ "True", "true" }, { "False", "false" }, { "None", "null" },
	};
	struct strbuf	 out = STRBUF_INIT;
	size_t		 i;

	while (*s != '\0') {
		if (*s == '\'' || *s == '"') {
			if (py_string(&s, &out) == -1)
				goto fail;
			continue;
		}
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strncmp(s, words[i].py, strlen(words[i].py)) == 0)
				break;
		if (i < sizeof(words) / sizeof(words[0])) {
			strbuf_puts(&out, words[i].json);
			s += strlen(words[i].py);
			continue;
		}
		if (strchr("[]{},: \t\n\r+-.0123456789eE", *s) == NULL)
			goto fail;
		strbuf_add(&out, s++, 1);
	}
	if (out.s == NULL)
		goto fail;
	return out.s;
fail:
	strbuf_free(&out);
	return NULL;
}

json_t *
dlmeta_datalinks(const json_t *meta)
{
	const json_t	*v = json_object_get(meta, "datalinks");
	json_t		*list;
	char		*text;

	if (json_is_array(v))
		return json_incref((json_t *)v);
	if (!json_is_string(v) ||
	    (text = dlmeta_pyliteral_to_json(json_string_value(v))) == NULL)
		return NULL;
	list = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_array(list)) {
		json_decref(list);
		return NULL;
	}
	return list;
}
