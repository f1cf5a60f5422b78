/*
 * The ADQL 2.1 query grammar (the REC's adql.bnf) as one untyped
 * expression grammar: whether a value is a number, a string or a region is
 * adql_check's business, which keeps this free of the reduce/reduce
 * conflicts typed expression paths bring.  Conditions stay apart from
 * values, as in ADQL, so a comparison is not a value.
 *
 * Left-recursive rules build left-deep trees the parser's stack never
 * sees, so every node is made through MK(), which refuses a tree deeper
 * than ADQL_MAX_DEPTH.
 */
%define api.pure full
%define api.prefix {adql_yy}
%define parse.error verbose
%locations
%param {void *scanner}
%parse-param {struct adql_pstate *st}

%code requires {
#include "adql_ast.h"
#include "adql_pstate.h"
}

%code provides {
int	adql_yylex(ADQL_YYSTYPE *, ADQL_YYLTYPE *, void *);
}

%code {
#include <string.h>

/* Far above what ADQL_MAX_DEPTH lets through: only parentheses nest here. */
#define YYMAXDEPTH	2000

static void	adql_yyerror(ADQL_YYLTYPE *, void *, struct adql_pstate *,
		    const char *);
static void	nomem(struct adql_pstate *, const ADQL_YYLTYPE *);

#define AT(l)	(l).first_line, (l).first_column
#define NODE(kind, l, a, b, c, d) \
	adql_node(st->tree, (kind), AT(l), (a), (b), (c), (d))
#define MK(dst, x) do {					\
	if (((dst) = (x)) == NULL) {			\
		nomem(st, &yylloc);			\
		YYABORT;				\
	}						\
} while (0)
}

%union {
	struct adql_node	*n;
	int			 i;
}

%token END 0 "end of query"
%token <n> IDENT "identifier" NUMBER "number" STRING "string"
%token ALL "ALL" AND "AND" AS "AS" ASC "ASC" BETWEEN "BETWEEN" BY "BY"
%token CAST "CAST" CROSS "CROSS" DESC "DESC" DISTINCT "DISTINCT"
%token EXCEPT "EXCEPT" EXISTS "EXISTS" FROM "FROM" FULL "FULL"
%token GROUP "GROUP" HAVING "HAVING" ILIKE "ILIKE" IN "IN" INNER "INNER"
%token INTERSECT "INTERSECT" IS "IS" JOIN "JOIN" LEFT "LEFT" LIKE "LIKE"
%token NATURAL "NATURAL" NOT "NOT" NULL_ "NULL" OFFSET "OFFSET" ON "ON"
%token OR "OR" ORDER "ORDER" OUTER "OUTER" RIGHT "RIGHT" SELECT "SELECT"
%token TOP "TOP" UNION "UNION" USING "USING" WHERE "WHERE"
%token NE "<>" LE "<=" GE ">=" CONCAT "||"

%type <n> select_expr set_expr set_term set_primary select_query
%type <n> select_list items item opt_alias from_list table_ref
%type <n> table_primary joined cond pred expr primary func cast_type
%type <n> names expr_list name_list opt_where opt_group opt_having
%type <n> opt_order order_list order_term top offset
%type <i> opt_quant opt_all opt_not join_kind opt_dir cmp

%left OR
%left AND
%precedence NOT
%left CONCAT
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%%

query
	: select_expr opt_semi		{ st->tree->root = $1; }
	;

opt_semi
	: %empty
	| ';'
	;

select_expr
	: set_expr opt_order offset {
		MK($$, NODE(ADQL_QUERY, @1, $1, $2, NULL, NULL));
		$$->num = $3 != NULL ? $3->num : -1;
	}
	;

set_expr
	: set_term
	| set_expr UNION opt_all set_term {
		MK($$, NODE(ADQL_SETOP, @2, $1, $4, NULL, NULL));
		$$->op = ADQL_UNION;
		$$->flags = $3;
	}
	| set_expr EXCEPT opt_all set_term {
		MK($$, NODE(ADQL_SETOP, @2, $1, $4, NULL, NULL));
		$$->op = ADQL_EXCEPT;
		$$->flags = $3;
	}
	;

set_term
	: set_primary
	| set_term INTERSECT opt_all set_primary {
		MK($$, NODE(ADQL_SETOP, @2, $1, $4, NULL, NULL));
		$$->op = ADQL_INTERSECT;
		$$->flags = $3;
	}
	;

set_primary
	: select_query
	| '(' select_expr ')'		{ $$ = $2; }
	;

opt_all
	: %empty			{ $$ = 0; }
	| ALL				{ $$ = ADQL_ALL; }
	;

select_query
	: SELECT opt_quant top select_list FROM from_list opt_where
	    opt_group opt_having {
		MK($$, NODE(ADQL_SELECT, @1, $4, $6, $7, $8));
		$$->k[4] = $9;
		$$->flags = $2;
		$$->num = $3 != NULL ? $3->num : -1;
		if (adql_redepth(st->tree, $$) == -1) {
			nomem(st, &@1);
			YYABORT;
		}
	}
	;

opt_quant
	: %empty			{ $$ = 0; }
	| ALL				{ $$ = 0; }
	| DISTINCT			{ $$ = ADQL_DISTINCT; }
	;

top
	: %empty			{ $$ = NULL; }
	| TOP NUMBER {
		if ($2->op != ADQL_INT) {
			adql_pstate_error(st, AT(@2),
			    "TOP takes a whole number of rows");
			YYABORT;
		}
		$$ = $2;
	}
	;

select_list
	: '*'		{ MK($$, NODE(ADQL_STAR, @1, NULL, NULL, NULL, NULL)); }
	| items
	;

items
	: item				{ $$ = adql_append(NULL, $1); }
	| items ',' item		{ $$ = adql_append($1, $3); }
	;

item
	: expr opt_alias {
		MK($$, NODE(ADQL_ITEM, @1, $1, $2, NULL, NULL));
	}
	| names '.' '*' {
		MK($$, NODE(ADQL_STAR, @1, $1, NULL, NULL, NULL));
	}
	;

opt_alias
	: %empty			{ $$ = NULL; }
	| IDENT
	| AS IDENT			{ $$ = $2; }
	;

from_list
	: table_ref			{ $$ = adql_append(NULL, $1); }
	| from_list ',' table_ref	{ $$ = adql_append($1, $3); }
	;

table_ref
	: table_primary
	| joined
	;

table_primary
	: names opt_alias {
		MK($$, NODE(ADQL_TABLE, @1, $1, $2, NULL, NULL));
	}
	| '(' select_expr ')' IDENT {
		MK($$, NODE(ADQL_DERIVED, @1, $2, $4, NULL, NULL));
	}
	| '(' select_expr ')' AS IDENT {
		MK($$, NODE(ADQL_DERIVED, @1, $2, $5, NULL, NULL));
	}
	| '(' joined ')'		{ $$ = $2; }
	;

joined
	: table_ref join_kind JOIN table_primary ON cond {
		MK($$, NODE(ADQL_JOIN, @3, $1, $4, $6, NULL));
		$$->op = $2;
	}
	| table_ref join_kind JOIN table_primary USING '(' name_list ')' {
		MK($$, NODE(ADQL_JOIN, @3, $1, $4, NULL, $7));
		$$->op = $2;
	}
	| table_ref NATURAL join_kind JOIN table_primary {
		MK($$, NODE(ADQL_JOIN, @2, $1, $5, NULL, NULL));
		$$->op = $3;
		$$->flags = ADQL_NATURAL;
	}
	| table_ref CROSS JOIN table_primary {
		MK($$, NODE(ADQL_JOIN, @2, $1, $4, NULL, NULL));
		$$->op = ADQL_JCROSS;
	}
	;

join_kind
	: %empty			{ $$ = ADQL_JINNER; }
	| INNER				{ $$ = ADQL_JINNER; }
	| LEFT opt_outer		{ $$ = ADQL_JLEFT; }
	| RIGHT opt_outer		{ $$ = ADQL_JRIGHT; }
	| FULL opt_outer		{ $$ = ADQL_JFULL; }
	;

opt_outer
	: %empty
	| OUTER
	;

opt_where
	: %empty			{ $$ = NULL; }
	| WHERE cond			{ $$ = $2; }
	;

opt_group
	: %empty			{ $$ = NULL; }
	| GROUP BY expr_list		{ $$ = $3; }
	;

opt_having
	: %empty			{ $$ = NULL; }
	| HAVING cond			{ $$ = $2; }
	;

opt_order
	: %empty			{ $$ = NULL; }
	| ORDER BY order_list		{ $$ = $3; }
	;

order_list
	: order_term			{ $$ = adql_append(NULL, $1); }
	| order_list ',' order_term	{ $$ = adql_append($1, $3); }
	;

order_term
	: expr opt_dir {
		MK($$, NODE(ADQL_ORDER, @1, $1, NULL, NULL, NULL));
		$$->flags = $2;
	}
	;

opt_dir
	: %empty			{ $$ = 0; }
	| ASC				{ $$ = 0; }
	| DESC				{ $$ = ADQL_DESC; }
	;

offset
	: %empty			{ $$ = NULL; }
	| OFFSET NUMBER {
		if ($2->op != ADQL_INT) {
			adql_pstate_error(st, AT(@2),
			    "OFFSET takes a whole number of rows");
			YYABORT;
		}
		$$ = $2;
	}
	;

cond
	: cond OR cond {
		MK($$, NODE(ADQL_OR, @2, $1, $3, NULL, NULL));
	}
	| cond AND cond {
		MK($$, NODE(ADQL_AND, @2, $1, $3, NULL, NULL));
	}
	| NOT cond {
		MK($$, NODE(ADQL_NOT, @1, $2, NULL, NULL, NULL));
	}
	| '(' cond ')'			{ $$ = $2; }
	| pred
	;

pred
	: expr cmp expr {
		MK($$, NODE(ADQL_CMP, @2, $1, $3, NULL, NULL));
		$$->op = $2;
	}
	| expr opt_not BETWEEN expr AND expr {
		MK($$, NODE(ADQL_BETWEEN, @3, $1, $4, $6, NULL));
		$$->flags = $2;
	}
	| expr opt_not LIKE expr {
		MK($$, NODE(ADQL_LIKE, @3, $1, $4, NULL, NULL));
		$$->op = ADQL_LIKE_CS;
		$$->flags = $2;
	}
	| expr opt_not ILIKE expr {
		MK($$, NODE(ADQL_LIKE, @3, $1, $4, NULL, NULL));
		$$->op = ADQL_LIKE_CI;
		$$->flags = $2;
	}
	| expr opt_not IN '(' expr_list ')' {
		MK($$, NODE(ADQL_IN, @3, $1, $5, NULL, NULL));
		$$->flags = $2;
	}
	| expr opt_not IN '(' select_expr ')' {
		MK($$, NODE(ADQL_IN, @3, $1, NULL, $5, NULL));
		$$->flags = $2;
	}
	| expr IS opt_not NULL_ {
		MK($$, NODE(ADQL_ISNULL, @2, $1, NULL, NULL, NULL));
		$$->flags = $3;
	}
	| EXISTS '(' select_expr ')' {
		MK($$, NODE(ADQL_EXISTS, @1, $3, NULL, NULL, NULL));
	}
	;

opt_not
	: %empty			{ $$ = 0; }
	| NOT				{ $$ = ADQL_NEG; }
	;

cmp
	: '='				{ $$ = ADQL_EQ; }
	| NE				{ $$ = ADQL_NE; }
	| '<'				{ $$ = ADQL_LT; }
	| LE				{ $$ = ADQL_LE; }
	| '>'				{ $$ = ADQL_GT; }
	| GE				{ $$ = ADQL_GE; }
	;

expr
	: expr '+' expr {
		MK($$, NODE(ADQL_BINOP, @2, $1, $3, NULL, NULL));
		$$->op = '+';
	}
	| expr '-' expr {
		MK($$, NODE(ADQL_BINOP, @2, $1, $3, NULL, NULL));
		$$->op = '-';
	}
	| expr '*' expr {
		MK($$, NODE(ADQL_BINOP, @2, $1, $3, NULL, NULL));
		$$->op = '*';
	}
	| expr '/' expr {
		MK($$, NODE(ADQL_BINOP, @2, $1, $3, NULL, NULL));
		$$->op = '/';
	}
	| expr CONCAT expr {
		MK($$, NODE(ADQL_BINOP, @2, $1, $3, NULL, NULL));
		$$->op = ADQL_CONCAT;
	}
	| '-' expr %prec UMINUS {
		MK($$, NODE(ADQL_NEG_, @1, $2, NULL, NULL, NULL));
	}
	| '+' expr %prec UMINUS		{ $$ = $2; }
	| primary
	;

primary
	: NUMBER
	| STRING
	| NULL_		{ MK($$, NODE(ADQL_NULL, @1, NULL, NULL, NULL, NULL)); }
	| names		{ MK($$, NODE(ADQL_COL, @1, $1, NULL, NULL, NULL)); }
	| func
	| CAST '(' expr AS cast_type ')' {
		MK($$, NODE(ADQL_CAST, @1, $3, NULL, NULL, NULL));
		$$->text = $5->text;
		$$->num = $5->num;
	}
	| '(' expr ')'			{ $$ = $2; }
	;

func
	: IDENT '(' ')' {
		MK($$, NODE(ADQL_FUNC, @1, NULL, NULL, NULL, NULL));
		$$->text = $1->text;
		$$->flags = $1->flags;
	}
	| IDENT '(' expr_list ')' {
		MK($$, NODE(ADQL_FUNC, @1, $3, NULL, NULL, NULL));
		$$->text = $1->text;
		$$->flags = $1->flags;
	}
	| IDENT '(' '*' ')' {
		MK($$, NODE(ADQL_FUNC, @1, NULL, NULL, NULL, NULL));
		$$->text = $1->text;
		$$->flags = $1->flags | ADQL_STARARG;
	}
	| IDENT '(' DISTINCT expr ')' {
		MK($$, NODE(ADQL_FUNC, @1, $4, NULL, NULL, NULL));
		$$->text = $1->text;
		$$->flags = $1->flags | ADQL_DISTINCT;
	}
	| IDENT '(' ALL expr ')' {
		MK($$, NODE(ADQL_FUNC, @1, $4, NULL, NULL, NULL));
		$$->text = $1->text;
		$$->flags = $1->flags;
	}
	;

/* DOUBLE PRECISION, CHAR(n), VARCHAR(n), ...: adql_check knows which. */
cast_type
	: IDENT				{ $$ = $1; }
	| IDENT IDENT {
		size_t	 a = strlen($1->text), b = strlen($2->text);
		char	*s;

		MK(s, adql_alloc(st->tree, a + b + 2));
		memcpy(s, $1->text, a);
		s[a] = ' ';
		memcpy(s + a + 1, $2->text, b + 1);
		$$ = $1;
		$$->text = s;
	}
	| IDENT '(' NUMBER ')' {
		if ($3->op != ADQL_INT || $3->num < 1 || $3->num > 65535) {
			adql_pstate_error(st, AT(@3),
			    "a length is a whole number from 1 to 65535");
			YYABORT;
		}
		$$ = $1;
		$$->num = $3->num;
	}
	;

names
	: IDENT				{ $$ = adql_append(NULL, $1); }
	| names '.' IDENT		{ $$ = adql_append($1, $3); }
	;

name_list
	: IDENT				{ $$ = adql_append(NULL, $1); }
	| name_list ',' IDENT		{ $$ = adql_append($1, $3); }
	;

expr_list
	: expr				{ $$ = adql_append(NULL, $1); }
	| expr_list ',' expr		{ $$ = adql_append($1, $3); }
	;

%%

static void
adql_yyerror(ADQL_YYLTYPE *loc, void *scanner, struct adql_pstate *st,
    const char *msg)
{
	(void)scanner;
	/* Bison's words for its stack running out, which only nesting does. */
	if (strcmp(msg, "memory exhausted") == 0)
		msg = "the query nests too deeply";
	adql_pstate_error(st, loc->first_line, loc->first_column, "%s", msg);
}

static void
nomem(struct adql_pstate *st, const ADQL_YYLTYPE *loc)
{
	if (adql_tree_too_deep(st->tree))
		adql_pstate_error(st, loc->first_line, loc->first_column,
		    "the query nests deeper than %d levels", ADQL_MAX_DEPTH);
	else
		adql_pstate_error(st, loc->first_line, loc->first_column,
		    "the query is too large");
}
