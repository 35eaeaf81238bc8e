/* cmd_gen_types.c: strapi-live gen-types: TypeScript declarations */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "cli/cmd.h"
#include "model/schema.h"
#include "util/xmalloc.h"

/*
 * Strapi attribute type -> TypeScript type, as Strapi 5's REST API returns
 * the value (biginteger comes back as a string, dates as ISO strings).
 */
/* clang-format off */
static const struct {
	const char *strapi;
	const char *ts;
} type_map[] = {
	{ "biginteger",  "string" },
	{ "blocks",      "unknown[]" },
	{ "boolean",     "boolean" },
	{ "component",   "unknown" },
	{ "date",        "string" },
	{ "datetime",    "string" },
	{ "decimal",     "number" },
	{ "dynamiczone", "unknown[]" },
	{ "email",       "string" },
	{ "enumeration", "string" },
	{ "float",       "number" },
	{ "integer",     "number" },
	{ "json",        "unknown" },
	{ "media",       "unknown" },
	{ "password",    "string" },
	{ "relation",    "unknown" },
	{ "richtext",    "string" },
	{ "string",      "string" },
	{ "text",        "string" },
	{ "time",        "string" },
	{ "timestamp",   "string" },
	{ "uid",         "string" },
};
/* clang-format on */
#define NTYPES (sizeof(type_map) / sizeof(type_map[0]))

/* Fields every entry has; configured fields of these names are skipped. */
static const char *system_fields[] = { "id", "documentId", "createdAt",
	"updatedAt", "publishedAt", "locale" };
#define NSYSTEM (sizeof(system_fields) / sizeof(system_fields[0]))

static int
is_ident(const char *s)
{
	if (*s == '\0' || isdigit((unsigned char)*s))
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '$')
			return 0;
	return 1;
}

/* A property name: bare when it is an identifier, else a JSON string. */
static void
add_prop(struct buf *b, const char *name)
{
	if (is_ident(name))
		buf_adds(b, name);
	else
		buf_add_json_string(b, name, strlen(name));
}

/* "blog-post" -> "BlogPost". */
static void
add_type_name(struct buf *b, const char *name)
{
	int up = 1;

	for (; *name != '\0'; name++) {
		if (!isalnum((unsigned char)*name)) {
			up = 1;
			continue;
		}
		buf_addc(b, up ? (char)toupper((unsigned char)*name) : *name);
		up = 0;
	}
}

/*
 * Appends the TypeScript type of a configured field type: "string",
 * "enumeration(tech|design|ops)" (a union of string literals), with a
 * trailing '!' meaning required (not nullable). Returns 0, or -1 with *why
 * set for an unknown type.
 */
static int
add_field_type(struct buf *b, const char *type, const char **why)
{
	char *t, *open, *bang, *v, *next;
	const char *ts = NULL;
	size_t i;
	int required = 0, rc = -1;

	t = xstrdup(type);
	if ((bang = strrchr(t, '!')) != NULL && bang[1] == '\0') {
		*bang = '\0';
		required = 1;
	}
	open = strchr(t, '(');
	if (open != NULL) {
		if (t[strlen(t) - 1] != ')') {
			*why = "unbalanced '(' in the field type";
			goto out;
		}
		*open++ = '\0';
		open[strlen(open) - 1] = '\0'; /* the ')' */
	}
	for (i = 0; i < NTYPES; i++)
		if (strcmp(t, type_map[i].strapi) == 0)
			ts = type_map[i].ts;
	if (ts == NULL) {
		*why = "unknown Strapi attribute type";
		goto out;
	}
	if (open != NULL && strcmp(t, "enumeration") != 0) {
		*why = "only enumeration takes a list of values";
		goto out;
	}
	if (open != NULL && *open != '\0') {
		for (v = open; v != NULL; v = next) {
			if ((next = strchr(v, '|')) != NULL)
				*next++ = '\0';
			buf_add_json_string(b, v, strlen(v));
			if (next != NULL)
				buf_adds(b, " | ");
		}
	} else
		buf_adds(b, ts);
	if (!required && strncmp(ts, "unknown", 7) != 0)
		buf_adds(b, " | null");
	rc = 0;
out:
	free(t);
	return rc;
}

/*
 * The type of the query's category: the enumeration's values when the
 * configuration lists them, without "| null" (a filter value is never
 * null). Returns 0, or -1 with *why set.
 */
static int
add_category_type(struct buf *b, const struct collection *co, const char **why)
{
	struct buf tmp;
	size_t i, n;

	for (i = 0; i < co->nfields; i++) {
		if (strcmp(co->fields[i].name, co->category_field) != 0 ||
		    strncmp(co->fields[i].type, "enumeration(", 12) != 0)
			continue;
		buf_init(&tmp);
		if (add_field_type(&tmp, co->fields[i].type, why) == -1) {
			buf_clear(&tmp);
			return -1;
		}
		n = tmp.len;
		if (n > 7 && strcmp(tmp.data + n - 7, " | null") == 0)
			n -= 7;
		buf_add(b, tmp.data, n);
		buf_clear(&tmp);
		return 0;
	}
	buf_adds(b, "string");
	return 0;
}

static int
is_system(const char *name)
{
	size_t i;

	for (i = 0; i < NSYSTEM; i++)
		if (strcmp(name, system_fields[i]) == 0)
			return 1;
	return 0;
}

/*
 * The live query type of co: its category and slug filters, REST's
 * filters and sort, a page; with
 * its schema type rich, its populate and fields (the client's
 * PopulateParam and FieldName of the type, which Shaped turns into the
 * answer's shape) and, when localized, locale. Returns 0, or -1 with
 * *cause (caller frees).
 */
static int
add_query(struct buf *b, const struct collection *co,
    const struct schema_type *rich, char **cause)
{
	const char *why = NULL;

	buf_adds(b, "\n/** Live query of ");
	buf_adds(b, co->plural);
	buf_adds(b, " */\nexport interface ");
	add_type_name(b, co->name);
	buf_adds(b, "Query {\n");
	if (*co->category_field != '\0') {
		buf_adds(b, "\tcategory?: ");
		if (add_category_type(b, co, &why) == -1) {
			xasprintf(cause, "collection.%s.fields: %s: %s",
			    co->name, co->category_field, why);
			return -1;
		}
		buf_adds(b, ";\n");
	}
	if (*co->slug_field != '\0')
		buf_adds(b, "\tslug?: string;\n");
	buf_adds(b, "\tfilters?: Record<string, unknown>;\n\tsort?: string;\n");
	buf_adds(b,
	    "\tpage?: number;\n\tpageSize?: number;\n"
	    "\tstart?: number;\n\tlimit?: number;\n");
	if (rich) {
		buf_adds(b, "\tpopulate?: PopulateParam<");
		add_type_name(b, co->name);
		buf_adds(b, ">;\n\tfields?: readonly FieldName<");
		add_type_name(b, co->name);
		buf_adds(b, ">[];\n");
		if (rich->localized)
			buf_adds(b, "\tlocale?: string;\n");
	}
	buf_adds(b, "}\n");
	return 0;
}

/*
 * The module augmentation: collection types by REST plural in Collections
 * and Queries; with a schema, single types by singular in SingleTypes.
 */
static void
add_module(struct buf *b, const struct conf *conf, const char *module,
    int singles)
{
	const struct collection *co;
	size_t i, n = conf_ncollections(conf);
	int pass;
	static const char *const maps[] = { "Collections", "Queries",
		"SingleTypes" };

	buf_printf(b, "\ndeclare module \"%s\" {\n", module);
	for (pass = 0; pass < (singles ? 3 : 2); pass++) {
		buf_printf(b, "\tinterface %s {\n", maps[pass]);
		for (i = 0; i < n; i++) {
			co = conf_collection(conf, i);
			if (co->single != (pass == 2))
				continue;
			buf_adds(b, "\t\t");
			add_prop(b, pass == 2 ? co->name : co->plural);
			buf_adds(b, ": ");
			add_type_name(b, co->name);
			buf_adds(b, pass == 1 ? "Query;\n" : ";\n");
		}
		buf_adds(b, "\t}\n");
	}
	buf_adds(b, "}\n");
}

/* The TypeScript name of a schema type: its singular, or its uid. */
static void
add_schema_name(struct buf *b, const struct schema_type *t)
{
	add_type_name(b, t->component ? t->uid : t->singular);
}

/*
 * A scalar attribute's type, as REST answers it: the enumeration's values
 * as a union, "| null" unless required.
 */
static void
add_scalar(struct buf *b, const struct schema_attr *a)
{
	const char *ts = "unknown";
	size_t i;

	if (a->nenums > 0) {
		for (i = 0; i < a->nenums; i++) {
			if (i > 0)
				buf_adds(b, " | ");
			buf_add_json_string(b, a->enums[i],
			    strlen(a->enums[i]));
		}
		ts = "string";
	} else if (strcmp(a->type, "blocks") == 0)
		buf_adds(b, ts = "StrapiBlock[]");
	else {
		for (i = 0; i < NTYPES; i++)
			if (strcmp(a->type, type_map[i].strapi) == 0)
				ts = type_map[i].ts;
		buf_adds(b, ts);
	}
	if (!a->required && strcmp(ts, "unknown") != 0)
		buf_adds(b, " | null");
}

/*
 * One attribute: scalars always present; relations, media, components and
 * dynamic zones only when populated, so optional.
 */
static void
add_attr(struct buf *b, const struct schema *s, const struct schema_attr *a)
{
	const struct schema_type *t;
	size_t i;

	buf_addc(b, '\t');
	add_prop(b, a->name);
	if (a->kind == SCHEMA_SCALAR) {
		buf_adds(b, ": ");
		add_scalar(b, a);
		buf_adds(b, ";\n");
		return;
	}
	buf_adds(b, "?: ");
	switch (a->kind) {
	case SCHEMA_RELATION:
		if ((t = schema_type(s, a->target)) != NULL)
			add_schema_name(b, t);
		else /* a morph relation, or a type of a plugin */
			buf_adds(b, "Entry");
		buf_adds(b, a->many ? "[]" : " | null");
		break;
	case SCHEMA_MEDIA:
		buf_adds(b, a->multiple ? "StrapiFile[]" : "StrapiFile | null");
		break;
	case SCHEMA_COMPONENT:
		if ((t = schema_type(s, a->component)) != NULL)
			add_schema_name(b, t);
		else
			buf_adds(b, "{ id: number; [field: string]: unknown }");
		buf_adds(b, a->repeatable ? "[]" : " | null");
		break;
	case SCHEMA_DYNAMICZONE:
		buf_adds(b, "Array<");
		for (i = 0; i < a->ncomponents; i++) {
			buf_adds(b, "\n\t\t| (");
			if ((t = schema_type(s, a->components[i])) != NULL)
				add_schema_name(b, t);
			else
				buf_adds(b, "{ id: number }");
			buf_adds(b, " & { __component: ");
			buf_add_json_string(b, a->components[i],
			    strlen(a->components[i]));
			buf_adds(b, " })");
		}
		if (a->ncomponents == 0)
			buf_adds(b, "never");
		buf_adds(b, "\n\t>");
		break;
	case SCHEMA_SCALAR:
		break;
	}
	buf_adds(b, ";\n");
}

/* One content type or component of the schema as an interface. */
static void
add_schema_type(struct buf *b, const struct schema *s,
    const struct schema_type *t)
{
	size_t i;

	buf_adds(b, "\n/** ");
	buf_adds(b, t->uid);
	if (t->component)
		buf_adds(b, " (component)");
	else {
		buf_adds(b, t->single ? " (single type" : " (collection type");
		buf_adds(b, t->localized ? ", localized)" : ")");
	}
	buf_adds(b, " */\nexport interface ");
	add_schema_name(b, t);
	buf_adds(b, " {\n\tid: number;\n");
	if (!t->component)
		buf_adds(b, "\tdocumentId: string;\n");
	for (i = 0; i < t->nattrs; i++)
		if (!t->attrs[i].private)
			add_attr(b, s, &t->attrs[i]);
	if (!t->component)
		buf_adds(b,
		    "\tcreatedAt: string;\n\tupdatedAt: string;\n"
		    "\tpublishedAt: string;\n");
	if (!t->component && t->localized) {
		buf_adds(b, "\tlocale: string;\n\tlocalizations?: ");
		add_schema_name(b, t);
		buf_adds(b, "[];\n");
	}
	buf_adds(b, "}\n");
}

/*
 * Renders the declarations of a content model: every type and component
 * of the schema, the live query type of each configured collection type,
 * and the module augmentation. Returns 0, or -1 with *cause.
 */
static int
gen_schema_types(const struct conf *conf, const struct schema *s,
    const char *module, struct buf *b, char **cause)
{
	const struct collection *co;
	size_t i;

	buf_adds(b,
	    "// Generated by `strapi-live gen-types` from the Strapi "
	    "schema (schema_dir).\n"
	    "// Do not edit: run the command again after changing "
	    "the content model.\n");
	buf_printf(b,
	    "import type {\n\tEntry,\n\tFieldName,\n\tPopulateParam,\n"
	    "\tStrapiBlock,\n\tStrapiFile,\n} from \"%s\";\n",
	    module);
	for (i = 0; i < s->ntypes; i++)
		add_schema_type(b, s, &s->types[i]);
	for (i = 0; i < conf_ncollections(conf); i++) {
		co = conf_collection(conf, i);
		if (!co->single &&
		    add_query(b, co, schema_type_by_singular(s, co->name),
		        cause) == -1)
			return -1;
	}
	add_module(b, conf, module, 1);
	return 0;
}

/*
 * Renders the declarations for every configured collection into b.
 * Returns 0, or -1 with *cause (caller frees) naming the bad field.
 */
static int
gen_types(const struct conf *conf, const char *module, struct buf *b,
    char **cause)
{
	const struct collection *co;
	const char *why = NULL;
	size_t i, j, n = conf_ncollections(conf);

	buf_adds(b,
	    "// Generated by `strapi-live gen-types` from the "
	    "strapi-live configuration.\n"
	    "// Do not edit: run the command again after changing "
	    "the collections.\n");
	buf_printf(b, "import \"%s\";\n", module);
	for (i = 0; i < n; i++) {
		co = conf_collection(conf, i);
		buf_adds(b, "\n/** ");
		buf_adds(b, co->uid);
		buf_adds(b, " (published entries) */\nexport interface ");
		add_type_name(b, co->name);
		buf_adds(b, " {\n\tid: number;\n\tdocumentId: string;\n");
		for (j = 0; j < co->nfields; j++) {
			if (is_system(co->fields[j].name))
				continue;
			buf_addc(b, '\t');
			add_prop(b, co->fields[j].name);
			buf_adds(b, ": ");
			if (add_field_type(b, co->fields[j].type, &why) == -1) {
				xasprintf(cause,
				    "collection.%s.fields: "
				    "%s:%s: %s",
				    co->name, co->fields[j].name,
				    co->fields[j].type, why);
				return -1;
			}
			buf_adds(b, ";\n");
		}
		buf_adds(b,
		    "\tcreatedAt: string;\n\tupdatedAt: string;\n"
		    "\tpublishedAt: string;\n\tlocale?: string | null;\n"
		    "}\n");
		if (add_query(b, co, NULL, cause) == -1)
			return -1;
	}
	add_module(b, conf, module, 0);
	return 0;
}

static int
write_file(const char *path, const struct buf *b)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "strapi-live gen-types: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
		fprintf(stderr, "strapi-live gen-types: %s: write failed\n",
		    path);
		return -1;
	}
	return 0;
}

int
cmd_gen_types(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const char *out = NULL, *module = "./strapi-live.js", *sdir;
	struct schema *schema = NULL;
	struct buf b;
	char *cause = NULL;
	int ch, rc = CMD_EXIT_OK;

	while ((ch = cmd_getopt(ctx, argc, argv, "o:m:", opts)) != -1) {
		if (ch == 'o')
			out = optarg;
		else if (ch == 'm')
			module = optarg;
		else
			return cmd_usage(ctx);
	}
	if (optind != argc)
		return cmd_usage(ctx);
	if (strpbrk(module, "\"\\\n") != NULL)
		return cmd_fail(ctx, CMD_EXIT_USAGE, "bad module name");
	sdir = conf_str(ctx->conf, CFG_SCHEMA_DIR);
	if (*sdir != '\0' && schema_load_dir(&schema, sdir, &cause) == -1) {
		rc = cmd_fail(ctx, CMD_EXIT_USAGE, "schema: %s", cause);
		free(cause);
		return rc;
	}
	buf_init(&b);
	if ((schema != NULL
	            ? gen_schema_types(ctx->conf, schema, module, &b, &cause)
	            : gen_types(ctx->conf, module, &b, &cause)) == -1) {
		rc = cmd_fail(ctx, CMD_EXIT_USAGE, "%s", cause);
		free(cause);
	} else if (out != NULL) {
		if (write_file(out, &b) == -1)
			rc = CMD_EXIT_FAIL;
	} else if (fwrite(b.data, 1, b.len, stdout) != b.len)
		rc = CMD_EXIT_FAIL;
	buf_clear(&b);
	schema_free(schema);
	return rc;
}
