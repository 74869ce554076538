"""One small test per NMODL construct: what the parser (modlc.parser) builds from it.

Each test parses a tiny hand-written snippet with `parse_text(text, path="t.mod")` and checks the
typed AST of `modlc.ast_nodes` (imported as `A`). Read top to bottom, the file is a tour of the
AST: top-level items, declaration blocks, the NEURON block, code blocks, statements, expressions,
lexical corner cases and INCLUDE.

Conventions used below
- `parse(src)` returns the `ModFile`; `item(src, A.X)` the first top-level item of type X.
- `stmts(code)` wraps `code` in `INITIAL { ... }` and returns the block's statements.
- `expr(code)` parses `x = <code>` and returns the right-hand side.
- `sx(node)` renders an expression as a Lisp-like string, e.g. `a + b * c` -> "(+ a (* b c))",
  so that tree shapes (precedence, associativity) read at a glance.
- `at(node)` is the node's (line, column), both 1-based.

"""

from __future__ import annotations

from pathlib import Path

import pytest

from modlc import ast_nodes as A
from modlc.diagnostics import ModlcError
from modlc.parser import parse_file, parse_text
from modlc.source import decode

# --------------------------------------------------------------------------------------- helpers


def parse(src: str) -> A.ModFile:
    return parse_text(src, path="t.mod")


def item(src: str, kind: type):
    """The first top-level item of type `kind`."""
    return next(i for i in parse(src).items if isinstance(i, kind))


def code_block(src: str, kind: str) -> A.CodeBlock:
    """The first CodeBlock whose kind is `kind` ("INITIAL", "KINETIC", ...)."""
    return next(i for i in parse(src).items if isinstance(i, A.CodeBlock) and i.kind == kind)


def stmts(code: str) -> tuple:
    """Statements of `INITIAL { code }`."""
    return code_block(f"INITIAL {{ {code} }}", "INITIAL").body.statements


def stmt(code: str):
    (only,) = stmts(code)
    return only


def expr(code: str):
    """The expression `code`, parsed as the right-hand side of an assignment."""
    assign = stmt(f"x = {code}")
    assert isinstance(assign, A.Assign)
    return assign.value


def decls(src: str) -> tuple:
    return item(src, A.DeclBlock).decls


def neuron(src: str) -> tuple:
    """Statements of `NEURON { src }`."""
    return item(f"NEURON {{ {src} }}", A.NeuronBlock).statements


def names(idents) -> list[str]:
    return [i.name for i in idents]


def at(node) -> tuple[int, int]:
    return (node.loc.line, node.loc.col)


def sx(node) -> str:
    """A compact rendering of an expression tree."""
    if isinstance(node, A.Number):
        return node.text + (f"({node.unit})" if node.unit is not None else "")
    if isinstance(node, A.Name):
        return node.name + (f"[{sx(node.index)}]" if node.index is not None else "")
    if isinstance(node, A.Prime):
        return node.name + "'" * node.order + (f"[{sx(node.index)}]" if node.index is not None else "")
    if isinstance(node, A.String):
        return repr(node.value)
    if isinstance(node, A.Call):
        return f"{node.name}(" + ", ".join(sx(a) for a in node.args) + ")"
    if isinstance(node, A.Unary):
        return f"({node.op} {sx(node.operand)})"
    if isinstance(node, A.Binary):
        return f"({node.op} {sx(node.left)} {sx(node.right)})"
    raise TypeError(node)


def react(term: A.ReactTerm) -> str:
    """A reaction term as written: "2a", "ca[(+ i 1)]"."""
    return ("" if term.stoich == 1 else str(term.stoich)) + sx(term.species)


# ================================================================================== top level


def test_empty_file_has_no_items():
    mod = parse("")
    assert mod == A.ModFile("t.mod", (), A.Loc("t.mod", 1, 1))


def test_title_is_the_rest_of_the_line():
    mod = parse("TITLE  Fast sodium channel  \nNEURON { SUFFIX na2 }\n")
    title = mod.items[0]
    assert title == A.Title("Fast sodium channel", A.Loc("t.mod", 1, 1))
    assert at(mod.items[1]) == (2, 1)


def test_comment_block_is_ignored_even_with_keywords_and_braces():
    src = (
        "COMMENT\n"
        "  NEURON { SUFFIX fake } } {\n"
        "  PARAMETER { x = 1 }  VERBATIM ENDVERBATIM\n"
        "ENDCOMMENT\n"
        "INITIAL { a = 1 COMMENT inline } { ENDCOMMENT b = 2 }\n"
    )
    mod = parse(src)
    assert [type(i) for i in mod.items] == [A.CodeBlock]
    a, b = mod.items[0].body.statements
    assert (a.target.name, b.target.name) == ("a", "b")
    assert at(mod.items[0]) == (5, 1)


@pytest.mark.parametrize("marker", [":", "?"])
def test_line_comments(marker):
    src = f"{marker} PARAMETER {{ hidden = 1 }}\nPARAMETER {{ x = 1 {marker} y = 2\n}}\n"
    (decl,) = decls(src)
    assert (decl.name, decl.value) == ("x", 1.0)


def test_verbatim_at_top_level_keeps_its_text_exactly():
    src = "VERBATIM\n#include <math.h>\nstatic int n = {0}; /* : ? */\nENDVERBATIM\n"
    (verb,) = parse(src).items
    assert verb == A.Verbatim("\n#include <math.h>\nstatic int n = {0}; /* : ? */\n", A.Loc("t.mod", 1, 1))


def test_verbatim_inside_a_block():
    src = "PROCEDURE p() {\n  x = 1\nVERBATIM\n  printf(\"hi\");\nENDVERBATIM\n}\n"
    assign, verb = item(src, A.Callable).body.statements
    assert isinstance(assign, A.Assign)
    assert verb == A.Verbatim('\n  printf("hi");\n', A.Loc("t.mod", 3, 1))


def test_define():
    (define,) = parse("DEFINE NSEG 12\n").items
    assert define == A.Define("NSEG", 12, A.Loc("t.mod", 1, 1))


def test_unitsoff_and_unitson_at_top_level_and_inside_blocks():
    src = (
        "UNITSOFF\n"
        "PARAMETER { UNITSOFF a = 1 UNITSON }\n"
        "NEURON { UNITSOFF SUFFIX s }\n"
        "INITIAL { UNITSOFF a = 2 UNITSON }\n"
        "UNITSON\n"
    )
    top = parse(src).items
    assert top[0] == A.UnitsToggle(False, A.Loc("t.mod", 1, 1))
    assert top[-1] == A.UnitsToggle(True, A.Loc("t.mod", 5, 1))
    assert [type(d) for d in top[1].decls] == [A.UnitsToggle, A.ParamDecl, A.UnitsToggle]
    assert isinstance(top[2].statements[0], A.UnitsToggle)
    toggles = [s.on for s in top[3].body.statements if isinstance(s, A.UnitsToggle)]
    assert toggles == [False, True]


# =========================================================================== declaration blocks


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("(mA) = (milliamp)", A.UnitAlias("mA", "milliamp", A.Loc("t.mod", 2, 3))),
        ("FARADAY = (faraday) (coulomb)", A.UnitFactor("FARADAY", "faraday", "coulomb", A.Loc("t.mod", 2, 3))),
        ("R = (k-mole) (joule/degC)", A.UnitFactor("R", "k-mole", "joule/degC", A.Loc("t.mod", 2, 3))),
        ("X = 96485.3 (coul)", A.UnitConstant("X", 96485.3, "coul", A.Loc("t.mod", 2, 3))),
        ("Y = -2", A.UnitConstant("Y", -2.0, None, A.Loc("t.mod", 2, 3))),
    ],
    ids=["alias", "factor", "factor-compound", "constant", "constant-no-unit"],
)
def test_units_block(line, expected):
    block = item(f"UNITS {{\n  {line}\n}}\n", A.DeclBlock)
    assert block.kind == "UNITS"
    assert block.decls == (expected,)


def test_units_block_arrow_factor():
    (decl,) = decls("UNITS { ftin = (foot) -> (inch) }")
    assert decl == A.UnitFactor("ftin", "foot", "inch", decl.loc)


def test_constant_block_number_and_factor_forms():
    block = item("CONSTANT {\n  q = 1.6e-19 (coulomb)\n  R = (k-mole) (joule/degC)\n  n = 3\n}", A.DeclBlock)
    assert block.kind == "CONSTANT"
    q, r, n = block.decls
    assert q == A.ConstantDecl("q", 1.6e-19, "coulomb", None, A.Loc("t.mod", 2, 3))
    assert r == A.ConstantDecl("R", None, None, ("k-mole", "joule/degC"), A.Loc("t.mod", 3, 3))
    assert (n.name, n.value, n.unit, n.factor) == ("n", 3.0, None, None)


def test_independent_block():
    block = item("INDEPENDENT { t FROM 0 TO 1 WITH 1 (ms) }", A.DeclBlock)
    assert block.kind == "INDEPENDENT"
    assert block.decls == (A.IndependentDecl("t", 0.0, 1.0, 1, "ms", A.Loc("t.mod", 1, 15)),)


# PARAMETER lines: (name, size, value, unit, limits).
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("celsius", ("celsius", None, None, None, None)),
        ("el = -65 (mV)", ("el", None, -65.0, "mV", None)),
        ("gbar = 0.12 (S/cm2) <0,1e9>", ("gbar", None, 0.12, "S/cm2", (0.0, 1e9))),
        ("k = 2 <-1.5, 3>", ("k", None, 2.0, None, (-1.5, 3.0))),
        ("w[3]", ("w", 3, None, None, None)),
        ("w[NS] (uS)", ("w", "NS", None, "uS", None)),  # DEFINE names stay names in the AST
        ("h = .5", ("h", None, 0.5, None, None)),
        ("eps = 1e-3", ("eps", None, 1e-3, None, None)),
        ("one = 1. (/ms)", ("one", None, 1.0, "/ms", None)),
        ("p = +2", ("p", None, 2.0, None, None)),
    ],
)
def test_parameter_declaration(line, expected):
    (decl,) = decls(f"DEFINE NS 4\nPARAMETER {{ {line} }}")
    assert isinstance(decl, A.ParamDecl)
    assert (decl.name, decl.size, decl.value, decl.unit, decl.limits) == expected


def test_parameter_locations_one_per_line():
    block = item("PARAMETER {\n  a = 1\n\n    b (mV)\n}\n", A.DeclBlock)
    assert block.kind == "PARAMETER"
    assert at(block) == (1, 1)
    assert [at(d) for d in block.decls] == [(2, 3), (4, 5)]


# ASSIGNED / STATE lines: (name, size, from_to, start, unit, abstol).
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("v (mV)", ("v", None, None, None, "mV", None)),
        ("g[4] (S/cm2)", ("g", 4, None, None, "S/cm2", None)),
        ("c[NC]", ("c", "NC", None, None, None, None)),
        ("m FROM 0 TO 1", ("m", None, (0.0, 1.0), None, None, None)),
        ("h START 0.5", ("h", None, None, 0.5, None, None)),
        ("cai (mM) <1e-4>", ("cai", None, None, None, "mM", 1e-4)),
        ("z[2] FROM -1 TO 1 START 0 (1) <1e-6>", ("z", 2, (-1.0, 1.0), 0.0, "1", 1e-6)),
    ],
)
@pytest.mark.parametrize("kind", ["ASSIGNED", "STATE"])
def test_assigned_and_state_declaration(kind, line, expected):
    block = item(f"DEFINE NC 3\n{kind} {{ {line} }}", A.DeclBlock)
    assert block.kind == kind
    (decl,) = block.decls
    assert isinstance(decl, A.VarDecl)
    assert (decl.name, decl.size, decl.from_to, decl.start, decl.unit, decl.abstol) == expected


def test_state_units_must_follow_from_to():
    # NEURON's grammar: name [n] FROM a TO b START c (units) <abstol>, in that order.
    with pytest.raises(ModlcError) as err:
        parse("STATE { m (1) FROM 0 TO 1 }")
    assert err.value.diagnostics[0].loc == A.Loc("t.mod", 1, 20)


# ================================================================================= NEURON block


@pytest.mark.parametrize("kind", ["SUFFIX", "POINT_PROCESS", "ARTIFICIAL_CELL"])
def test_neuron_suffix_kinds(kind):
    (suffix,) = neuron(f"{kind} mech")
    assert suffix == A.Suffix(kind, A.Ident("mech", A.Loc("t.mod", 1, 11 + len(kind))), A.Loc("t.mod", 1, 10))


@pytest.mark.parametrize(
    "kind",
    ["RANGE", "GLOBAL", "POINTER", "BBCOREPOINTER", "EXTERNAL", "NONSPECIFIC_CURRENT",
     "ELECTRODE_CURRENT", "RANDOM"],
)
def test_neuron_name_lists(kind):
    (lst,) = neuron(f"{kind} a, b2,c")
    assert isinstance(lst, A.NameList)
    assert lst.kind == kind
    assert names(lst.names) == ["a", "b2", "c"]


def test_neuron_block_locations():
    src = "NEURON {\n  SUFFIX hh2\n  RANGE gnabar,\n        gkbar\n}\n"
    block = item(src, A.NeuronBlock)
    suffix, rng = block.statements
    assert at(block) == (1, 1)
    assert at(suffix) == (2, 3) and at(suffix.name) == (2, 10)
    assert [at(i) for i in rng.names] == [(3, 9), (4, 9)]


def test_useion_read_write_valence():
    (use,) = neuron("USEION ca READ cai, cao WRITE ica VALENCE 2")
    assert use.ion == A.Ident("ca", A.Loc("t.mod", 1, 17))
    assert names(use.read) == ["cai", "cao"]
    assert names(use.write) == ["ica"]
    assert use.valence == 2.0 and use.valence_name is None


def test_useion_write_before_read_and_negative_valence():
    (use,) = neuron("USEION cl WRITE icl READ ecl VALENCE -1")
    assert (use.ion.name, names(use.read), names(use.write), use.valence) == ("cl", ["ecl"], ["icl"], -1.0)


def test_useion_minimal_and_charge_synonym():
    plain, charged = neuron("USEION na WRITE ina USEION k READ ek CHARGE 1")
    assert (names(plain.read), names(plain.write), plain.valence) == ([], ["ina"], None)
    assert charged.valence == 1.0


def test_useion_valence_given_by_a_name_is_kept_for_semantics_to_reject():
    (use,) = neuron("USEION x READ xi VALENCE zx")
    assert use.valence is None and use.valence_name.name == "zx"


@pytest.mark.parametrize(("text", "expected"), [("THREADSAFE", []), ("THREADSAFE a, b", ["a", "b"])])
def test_threadsafe(text, expected):
    (ts,) = neuron(text)
    assert isinstance(ts, A.ThreadSafe) and names(ts.names) == expected


def test_represents_standalone():
    suffix, rep = neuron("SUFFIX kv REPRESENTS NCIT:C17145")
    assert rep == A.Represents("NCIT:C17145", A.Loc("t.mod", 1, 20))


def test_represents_after_useion_belongs_to_the_ion():
    use, rng = neuron("USEION ca READ cai VALENCE 2 REPRESENTS CHEBI:29108 RANGE g")
    assert isinstance(use, A.UseIon) and names(use.read) == ["cai"] and use.valence == 2.0
    assert use.represents == "CHEBI:29108"
    assert rng.kind == "RANGE" and names(rng.names) == ["g"]
    (plain,) = neuron("USEION na READ ena")
    assert plain.represents is None


# ============================================================================ BREAKPOINT, SOLVE


def test_initial_block():
    block = code_block("INITIAL {\n  m = 0\n}\n", "INITIAL")
    assert (block.name, block.solvefor) == (None, ())
    assert at(block) == (1, 1) and at(block.body) == (1, 9)
    (assign,) = block.body.statements
    assert at(assign) == (2, 3)


def test_solve_method_cnexp():
    block = code_block("BREAKPOINT {\n  SOLVE states METHOD cnexp\n  i = g*(v - e)\n}", "BREAKPOINT")
    solve, assign = block.body.statements
    assert solve == A.Solve(
        block=A.Ident("states", A.Loc("t.mod", 2, 9)),
        method=A.Ident("cnexp", A.Loc("t.mod", 2, 23)),
        steadystate=False,
        iferror=None,
        loc=A.Loc("t.mod", 2, 3),
    )
    assert sx(assign.value) == "(* g (- v e))"


def test_solve_steadystate():
    (solve,) = code_block("INITIAL { SOLVE kin STEADYSTATE sparse }", "INITIAL").body.statements
    assert (solve.block.name, solve.method.name, solve.steadystate) == ("kin", "sparse", True)


def test_solve_without_method():
    (solve,) = code_block("BREAKPOINT { SOLVE states }", "BREAKPOINT").body.statements
    assert (solve.block.name, solve.method, solve.steadystate) == ("states", None, False)


def test_solve_iferror():
    (solve,) = stmts("SOLVE s METHOD derivimplicit IFERROR { x = 1 }")
    assert isinstance(solve.iferror, A.Block) and len(solve.iferror.statements) == 1


def test_equation_is_an_old_name_for_breakpoint():
    assert parse("EQUATION { x = 1 }").items[0].kind == "BREAKPOINT"


def test_conductance_hint_with_and_without_useion():
    with_ion, without = code_block("BREAKPOINT { CONDUCTANCE gk USEION k CONDUCTANCE gl }", "BREAKPOINT").body.statements
    assert with_ion == A.Conductance(A.Ident("gk", A.Loc("t.mod", 1, 26)), A.Ident("k", A.Loc("t.mod", 1, 36)), A.Loc("t.mod", 1, 14))
    assert (without.name.name, without.ion) == ("gl", None)


# ================================================================================= DERIVATIVE


def test_derivative_first_order():
    block = code_block("DERIVATIVE states {\n  m' = (minf - m)/mtau\n}", "DERIVATIVE")
    assert block.name == A.Ident("states", A.Loc("t.mod", 1, 12))
    (assign,) = block.body.statements
    assert assign.target == A.Prime("m", 1, None, A.Loc("t.mod", 2, 3))
    assert sx(assign.value) == "(/ (- minf m) mtau)"


def test_derivative_second_order_and_prime_on_the_right():
    (assign,) = code_block("DERIVATIVE d { x'' = -k*x - c*x' }", "DERIVATIVE").body.statements
    assert (assign.target.name, assign.target.order) == ("x", 2)
    assert sx(assign.value) == "(- (* (- k) x) (* c x'))"


def test_derivative_of_an_array_element():
    (loop,) = code_block("DERIVATIVE d { FROM i = 0 TO N-1 { c'[i] = -c[i] } }", "DERIVATIVE").body.statements
    (assign,) = loop.body.statements
    assert isinstance(assign.target, A.Prime)
    assert (assign.target.name, assign.target.order, sx(assign.target.index)) == ("c", 1, "i")
    assert sx(assign.value) == "(- c[i])"


# ==================================================================================== KINETIC


def kinetic(body: str) -> tuple:
    return code_block(f"KINETIC kin {{\n{body}\n}}", "KINETIC").body.statements


def test_reversible_reaction():
    (r,) = kinetic("  ~ C <-> O (kf, kb)")
    assert isinstance(r, A.Reaction)
    assert at(r) == (2, 3)
    assert r.lhs == (A.ReactTerm(1, A.Name("C", None, A.Loc("t.mod", 2, 5)), A.Loc("t.mod", 2, 5)),)
    assert r.rhs == (A.ReactTerm(1, A.Name("O", None, A.Loc("t.mod", 2, 11)), A.Loc("t.mod", 2, 11)),)
    assert (sx(r.forward), sx(r.backward)) == ("kf", "kb")


def test_reaction_with_stoichiometry_and_rate_expressions():
    (r,) = kinetic("~ 2a + b <-> c (f*2, r/3)")
    assert [(t.stoich, t.species.name) for t in r.lhs] == [(2, "a"), (1, "b")]
    assert [react(t) for t in r.rhs] == ["c"]
    assert (sx(r.forward), sx(r.backward)) == ("(* f 2)", "(/ r 3)")


def test_reaction_coefficient_in_the_middle_of_a_side():
    (r,) = kinetic("~ n0 + 4 ca <-> n (a, b)")
    assert [react(t) for t in r.lhs] == ["n0", "4ca"]
    assert [react(t) for t in r.rhs] == ["n"]


def test_reaction_coefficient_on_the_right_side():
    (r,) = kinetic("~ d <-> 2 m (f, r)")
    assert [(t.stoich, t.species.name) for t in r.rhs] == [(2, "m")]


def test_reaction_term_locations_start_at_the_coefficient_on_both_sides():
    (r,) = kinetic("~ 2a <-> 3b (f, r)")
    assert at(r.rhs[0]) == (2, 10)  # the `3`, not the `b` at (2, 11)
    assert at(r.lhs[0]) == (2, 3)  # the `2`, not the `a` at (2, 4)


def test_indexed_species():
    (r,) = kinetic("~ ca[i] <-> ca[i+1] (d, d)")
    assert [react(t) for t in r.lhs + r.rhs] == ["ca[i]", "ca[(+ i 1)]"]


def test_flux():
    (f,) = kinetic("~ x << (ix/F)")
    assert isinstance(f, A.Flux)
    assert react(f.species) == "x" and sx(f.rate) == "(/ ix F)"


def test_one_way_reaction_has_no_right_side():
    (r,) = kinetic("~ y -> (k)")
    assert (tuple(map(react, r.lhs)), r.rhs, sx(r.forward), r.backward) == (("y",), (), "k", None)


def test_reaction_side_must_be_a_sum_of_states():
    with pytest.raises(ModlcError, match="sum of states") as err:
        kinetic("~ a - b <-> c (f, r)")
    assert err.value.diagnostics[0].loc.line == 2


def test_conserve():
    (c,) = kinetic("CONSERVE C1 + C2 + 2*O = 1")
    assert isinstance(c, A.Conserve)
    assert (sx(c.lhs), sx(c.rhs)) == ("(+ (+ C1 C2) (* 2 O))", "1")


def test_conserve_with_neurons_coefficient_syntax():
    """nocmodl spells a CONSERVE coefficient as in a reaction (`2C`, `2 C`)."""
    for text in ("CONSERVE A + B + 2C = 1", "CONSERVE A + B + 2 C = 1"):
        (c,) = kinetic(text)
        assert isinstance(c, A.Conserve) and (sx(c.lhs), sx(c.rhs)) == ("(+ (+ A B) (* 2 C))", "1")


def test_compartment_with_index():
    (c,) = kinetic("COMPARTMENT i, vol[i] {ca}")
    assert (c.kind, c.index, sx(c.volume), names(c.states)) == (
        "COMPARTMENT", A.Ident("i", A.Loc("t.mod", 2, 13)), "vol[i]", ["ca"])


def test_compartment_without_index_and_several_states():
    (c,) = kinetic("COMPARTMENT diam*diam {ca B CaB}")
    assert (c.index, sx(c.volume), names(c.states)) == (None, "(* diam diam)", ["ca", "B", "CaB"])


def test_longitudinal_diffusion():
    (d,) = kinetic("LONGITUDINAL_DIFFUSION j, D*area[j] {ca}")
    assert (d.kind, d.index.name, sx(d.volume), names(d.states)) == (
        "LONGITUDINAL_DIFFUSION", "j", "(* D area[j])", ["ca"])


def test_f_flux_and_b_flux_are_ordinary_names():
    (a,) = kinetic("i = f_flux - b_flux")
    assert sx(a.value) == "(- f_flux b_flux)"


def test_kinetic_solvefor():
    block = code_block("KINETIC kin SOLVEFOR a, b { ~ a <-> b (1, 1) }", "KINETIC")
    assert block.name.name == "kin"
    assert names(block.solvefor) == ["a", "b"]


# =========================================================================== LINEAR/NONLINEAR


def test_linear_tilde_equation():
    block = code_block("LINEAR lin {\n  ~ a + b = c\n  ~ -a - 2*b + c = 0\n}", "LINEAR")
    first, second = block.body.statements
    assert isinstance(first, A.TildeEquation)
    assert at(first) == (2, 3)
    assert isinstance(first.lhs, A.Binary) and first.lhs.op == "+"
    assert (first.lhs.left, first.lhs.right) == (A.Name("a", None, A.Loc("t.mod", 2, 5)), A.Name("b", None, A.Loc("t.mod", 2, 9)))
    assert sx(first.rhs) == "c"
    assert sx(second.lhs) == "(+ (- (- a) (* 2 b)) c)"


def test_tilde_equation_binary_location_starts_at_left_operand():
    (eq,) = code_block("LINEAR lin { ~ a + b = c }", "LINEAR").body.statements
    assert at(eq.lhs) == at(eq.lhs.left)


def test_nonlinear_with_solvefor():
    block = code_block("NONLINEAR nl SOLVEFOR s { ~ s*s = 4 }", "NONLINEAR")
    assert (block.name.name, names(block.solvefor)) == ("nl", ["s"])
    (eq,) = block.body.statements
    assert (sx(eq.lhs), sx(eq.rhs)) == ("(* s s)", "4")


def test_coefficient_before_a_name_is_rejected_in_an_equation():
    with pytest.raises(ModlcError, match="2\\*x"):
        parse("LINEAR l { ~ 2 x = 1 }")


# ================================================================ PROCEDURE, FUNCTION, TABLE


def test_procedure_with_formals_with_units():
    proc = item("PROCEDURE rates(v (mV), x) {\n  m = x\n}", A.Callable)
    assert (proc.kind, proc.name, proc.unit) == ("PROCEDURE", A.Ident("rates", A.Loc("t.mod", 1, 11)), None)
    assert proc.params == (
        A.Formal("v", None, "mV", A.Loc("t.mod", 1, 17)),
        A.Formal("x", None, None, A.Loc("t.mod", 1, 25)),
    )
    assert len(proc.body.statements) == 1


def test_function_with_return_unit():
    fn = item("FUNCTION alpha(v (mV)) (/ms) { alpha = exp(v/10) }", A.Callable)
    assert (fn.kind, fn.name.name, fn.unit) == ("FUNCTION", "alpha", "/ms")
    assert [(p.name, p.unit) for p in fn.params] == [("v", "mV")]
    (assign,) = fn.body.statements
    assert (assign.target.name, sx(assign.value)) == ("alpha", "exp((/ v 10))")


def test_function_without_formals():
    fn = item("FUNCTION one() { one = 1 }", A.Callable)
    assert (fn.params, fn.unit) == ((), None)


def test_function_table_has_no_body():
    ft = item("FUNCTION_TABLE tabtau(v (mV), c (mM)) (ms)\nPARAMETER { }", A.Callable)
    assert (ft.kind, ft.name.name, ft.unit, ft.body) == ("FUNCTION_TABLE", "tabtau", "ms", None)
    assert [p.name for p in ft.params] == ["v", "c"]


def test_table_with_names_and_depend():
    proc = item("PROCEDURE r(v) {\n  TABLE minf, mtau DEPEND celsius FROM -100 TO 100 WITH 200\n}", A.Callable)
    (table,) = proc.body.statements
    assert isinstance(table, A.Table) and at(table) == (2, 3)
    assert (names(table.names), names(table.depend)) == (["minf", "mtau"], ["celsius"])
    assert (sx(table.low), sx(table.high), sx(table.count)) == ("(- 100)", "100", "200")


def test_table_without_names():
    fn = item("FUNCTION f(x) { TABLE FROM xmin TO xmax WITH 10 f = x }", A.Callable)
    table, _ = fn.body.statements
    assert (table.names, table.depend, sx(table.low), sx(table.high)) == ((), (), "xmin", "xmax")


# ================================================================================ NET_RECEIVE


NET_RECEIVE_SRC = """\
NET_RECEIVE(weight (uS), w2) {
  INITIAL { w2 = 0 }
  if (flag == 0) {
    net_send(tau, 1)
  } else if (flag == 1) {
    net_event(t)
  } else {
    net_move(t + 1)
  }
}
"""


def test_net_receive_formals_and_initial_inside():
    nr = item(NET_RECEIVE_SRC, A.Callable)
    assert (nr.kind, nr.name, nr.unit) == ("NET_RECEIVE", None, None)
    assert [(p.name, p.unit) for p in nr.params] == [("weight", "uS"), ("w2", None)]
    init = nr.body.statements[0]
    # An INITIAL inside NET_RECEIVE is a nested CodeBlock.
    assert isinstance(init, A.CodeBlock) and init.kind == "INITIAL" and at(init) == (2, 3)


def test_net_receive_flag_tests_and_event_calls():
    nr = item(NET_RECEIVE_SRC, A.Callable)
    chain = nr.body.statements[1]
    assert isinstance(chain, A.If) and sx(chain.condition) == "(== flag 0)"
    assert isinstance(chain.orelse, A.If) and sx(chain.orelse.condition) == "(== flag 1)"
    calls = [chain.then, chain.orelse.then, chain.orelse.orelse]
    rendered = [sx(b.statements[0].call) for b in calls]
    assert rendered == ["net_send(tau, 1)", "net_event(t)", "net_move((+ t 1))"]
    assert isinstance(calls[0].statements[0], A.CallStmt) and at(calls[0].statements[0]) == (4, 5)


def test_for_netcons():
    nr = item("NET_RECEIVE(w) { FOR_NETCONS(w1) { w1 = w } }", A.Callable)
    (loop,) = nr.body.statements
    assert isinstance(loop, A.ForNetcons)
    assert [p.name for p in loop.params] == ["w1"] and len(loop.body.statements) == 1


def test_watch_with_one_and_two_conditions():
    one, two = stmts("WATCH (v > thresh) 2 WATCH (v > 0) 3, (v < -10 (mV)) 4")
    assert isinstance(one, A.Watch)
    assert [(sx(c), sx(f)) for c, f in one.conditions] == [("(> v thresh)", "2")]
    assert [(sx(c), sx(f)) for c, f in two.conditions] == [("(> v 0)", "3"), ("(< v (- 10(mV)))", "4")]


# ============================================================================ other blocks


@pytest.mark.parametrize("when", ["BEFORE", "AFTER"])
@pytest.mark.parametrize("point", ["BREAKPOINT", "SOLVE", "INITIAL", "STEP"])
def test_before_after_blocks(when, point):
    block = parse(f"{when} {point} {{ a = 1 }}").items[0]
    assert (block.kind, block.name.name, at(block.name)) == (when, point, (1, len(when) + 2))
    assert len(block.body.statements) == 1


@pytest.mark.parametrize("kind", ["CONSTRUCTOR", "DESTRUCTOR"])
def test_constructor_and_destructor_with_verbatim(kind):
    block = code_block(f"{kind} {{\nVERBATIM\n  if (p) {{ free(p); }}\nENDVERBATIM\n}}", kind)
    assert block.name is None
    assert block.body.statements == (A.Verbatim("\n  if (p) { free(p); }\n", A.Loc("t.mod", 2, 1)),)


def test_discrete_block():
    block = code_block("DISCRETE d { x = 1 }", "DISCRETE")
    assert block.name.name == "d"


def test_protect_marks_the_assignment():
    plain, protected = stmts("a = 1 PROTECT n = n + 1")
    assert plain.protected is False
    assert protected.protected is True
    assert at(protected) == (1, 17) and at(protected.target) == (1, 25)
    assert sx(protected.value) == "(+ n 1)"


def test_mutex_lock_and_unlock():
    lock, assign, unlock = stmts("MUTEXLOCK n = n + 1 MUTEXUNLOCK")
    assert lock == A.Mutex(True, A.Loc("t.mod", 1, 11))
    assert isinstance(assign, A.Assign)
    assert unlock.lock is False


def test_lag():
    lag = stmt("LAG v BY tau")
    assert lag == A.Lag(A.Ident("v", A.Loc("t.mod", 1, 15)), A.Ident("tau", A.Loc("t.mod", 1, 20)), A.Loc("t.mod", 1, 11))


def test_local_at_top_level():
    local = item("LOCAL tmp, buf[3]\n", A.Local)
    assert local.names == (
        A.LocalName("tmp", None, A.Loc("t.mod", 1, 7)),
        A.LocalName("buf", 3, A.Loc("t.mod", 1, 12)),
    )


def test_local_in_a_block_with_arrays():
    local, _ = stmts("LOCAL a, b[4], c[N] a = 1")
    assert [(n.name, n.size) for n in local.names] == [("a", None), ("b", 4), ("c", "N")]


# ============================================================================= control flow


def test_if_else_if_else_chain():
    top = stmt("if (a > 1) { b = 1 } else if (a < -1) { b = -1 } else { b = 0 }")
    assert isinstance(top, A.If) and sx(top.condition) == "(> a 1)"
    middle = top.orelse
    assert isinstance(middle, A.If) and sx(middle.condition) == "(< a (- 1))"
    assert isinstance(middle.orelse, A.Block)
    assert sx(middle.orelse.statements[0].value) == "0"


def test_if_without_else():
    s = stmt("if (x) { y = 1 }")
    assert (sx(s.condition), s.orelse) == ("x", None)


def test_upper_case_if_else():
    s = stmt("IF (a) { b = 1 } ELSE { b = 2 }")
    assert isinstance(s, A.If) and isinstance(s.orelse, A.Block)


@pytest.mark.parametrize("keyword", ["while", "WHILE"])
def test_while(keyword):
    s = stmt(f"{keyword} (i < 3) {{ i = i + 1 }}")
    assert isinstance(s, A.While) and sx(s.condition) == "(< i 3)"
    assert len(s.body.statements) == 1


def test_from_loop_with_by():
    s = stmt("FROM i = 0 TO n BY 2 { }")
    assert isinstance(s, A.FromLoop)
    assert s.var == A.Ident("i", A.Loc("t.mod", 1, 16))
    assert (sx(s.start), sx(s.stop), sx(s.step), s.body.statements) == ("0", "n", "2", ())


def test_from_loop_without_by():
    s = stmt("FROM j = 1 TO N - 1 { x = x + j }")
    assert (s.step, sx(s.stop)) == (None, "(- N 1)")


def test_nested_blocks():
    outer = stmt("{ { a = 1 } b = 2 }")
    assert isinstance(outer, A.Block)
    inner, b = outer.statements
    assert isinstance(inner, A.Block) and sx(inner.statements[0].value) == "1"
    assert b.target.name == "b"


# ============================================================================== expressions


@pytest.mark.parametrize(
    ("code", "tree"),
    [
        ("a + b * c", "(+ a (* b c))"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b * c", "(* (/ a b) c)"),
        ("-x^2", "(- (^ x 2))"),
        ("a^b^c", "(^ a (^ b c))"),
        ("a^-2", "(^ a (- 2))"),
        ("-a*b", "(* (- a) b)"),
        ("+a", "a"),
        ("!a && b || c", "(|| (&& (! a) b) c)"),
        ("a || b && c", "(|| a (&& b c))"),
        ("a < b + 1", "(< a (+ b 1))"),
        ("a == b < c", "(< (== a b) c)"),  # NEURON: all comparisons share one level
        ("a >= b && a <= c && a != d", "(&& (&& (>= a b) (<= a c)) (!= a d))"),
        ("!(a > b)", "(! (> a b))"),
    ],
)
def test_operator_precedence(code, tree):
    assert sx(expr(code)) == tree


@pytest.mark.parametrize(
    ("code", "value", "text", "unit"),
    [
        ("1 (mV)", 1.0, "1", "mV"),
        ("2(um)", 2.0, "2", "um"),
        (".5", 0.5, ".5", None),
        ("1e-3", 1e-3, "1e-3", None),
        ("1.", 1.0, "1.", None),
        ("1.5E+2 (/ms)", 150.0, "1.5E+2", "/ms"),
    ],
)
def test_numbers(code, value, text, unit):
    n = expr(code)
    assert isinstance(n, A.Number)
    assert (n.value, n.text, n.unit) == (value, text, unit)


def test_unit_annotated_number_inside_a_product():
    assert sx(expr("2 (um) * d")) == "(* 2(um) d)"


def test_negative_number_is_a_unary_minus():
    e = expr("-65 (mV)")
    assert e == A.Unary("-", A.Number(65.0, "65", "mV", A.Loc("t.mod", 1, 16)), A.Loc("t.mod", 1, 15))


@pytest.mark.parametrize(
    ("code", "args"),
    [("f()", []), ("f(1)", ["1"]), ("f(a, b + 1, g(c))", ["a", "(+ b 1)", "g(c)"])],
)
def test_function_calls(code, args):
    call = expr(code)
    assert isinstance(call, A.Call) and call.name == "f"
    assert [sx(a) for a in call.args] == args


def test_printf_call_statement_with_string():
    s = stmt('printf("t=%g: m ? %g\\n", t, m)')
    assert isinstance(s, A.CallStmt)
    fmt, *rest = s.call.args
    assert fmt == A.String("t=%g: m ? %g\\n", A.Loc("t.mod", 1, 18))  # escapes stay as written
    assert [sx(a) for a in rest] == ["t", "m"]


def test_indexed_names_on_both_sides():
    s = stmt("x[i] = y[i+1] * z[2]")
    assert s.target == A.Name("x", A.Name("i", None, A.Loc("t.mod", 1, 13)), A.Loc("t.mod", 1, 11))
    assert sx(s.value) == "(* y[(+ i 1)] z[2])"


def test_several_statements_on_one_line():
    a, b, c = stmts("a = 1 b = 2 f(a)")
    assert (a.target.name, b.target.name, c.call.name) == ("a", "b", "f")
    assert [at(s) for s in (a, b, c)] == [(1, 11), (1, 17), (1, 23)]


def test_expression_locations():
    s = stmt("y = a + b*c")
    assert at(s.value) == (1, 15)  # a Binary sits where its left operand starts
    assert at(s.value.right) == (1, 19)
    assert at(s.value.right.right) == (1, 21)


def test_names_that_begin_with_keywords_are_names():
    got = [s.target.name for s in stmts("ifx = 1 FROMx = 2 TOP = 3 elsewhere = 4 while2 = 5 LOCALS = 6")]
    assert got == ["ifx", "FROMx", "TOP", "elsewhere", "while2", "LOCALS"]


# ======================================================================== lexical robustness


SRC_LINES = ["NEURON {", "  SUFFIX a", "}", ": caf\xe9 na\xefve comment", "PARAMETER { x = 1 }", ""]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r", b"\n"], ids=["crlf", "cr", "lf"])
def test_line_endings_and_latin1_comment_keep_line_numbers(newline):
    data = newline.join(line.encode("latin-1") for line in SRC_LINES)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the comment really is latin-1, not UTF-8
    mod = parse(decode(data))
    nb, params = mod.items
    assert at(nb.statements[0]) == (2, 3)
    assert at(params) == (5, 1) and at(params.decls[0]) == (5, 13)


def test_syntax_error_line_is_right_after_crlf_lines():
    with pytest.raises(ModlcError) as err:
        parse(decode(b"NEURON {\r\n  SUFFIX a\r\n}\r\nINITIAL { x = }\r\n"))
    assert err.value.diagnostics[0].loc == A.Loc("t.mod", 4, 15)


def test_tabs_and_form_feed_count_as_one_column():
    mod = parse("NEURON {\tSUFFIX\ta }\n\x0cPARAMETER {\n\tx = 1\n}\n")
    nb, params = mod.items
    assert at(nb.statements[0]) == (1, 10) and at(nb.statements[0].name) == (1, 17)
    assert at(params) == (2, 2)
    assert at(params.decls[0]) == (3, 2)


def test_trailing_comment_without_newline_at_end_of_file():
    mod = parse("INITIAL { x = 1 } : the end, no newline")
    assert len(mod.items) == 1


def test_utf8_bom_is_dropped():
    text = decode(b"\xef\xbb\xbfNEURON { SUFFIX a }\n")
    assert not text.startswith("\ufeff")
    assert at(parse(text).items[0]) == (1, 1)


def test_dos_end_of_file_byte_is_ignored():
    assert len(parse(decode(b"NEURON { SUFFIX a }\r\n\x1a")).items) == 1


def test_unclosed_comment_is_reported_at_its_start():
    with pytest.raises(ModlcError, match="COMMENT block is not closed") as err:
        parse("NEURON { SUFFIX a }\nCOMMENT\nnever closed\n")
    assert err.value.diagnostics[0].loc == A.Loc("t.mod", 2, 1)


# ==================================================================================== INCLUDE


@pytest.fixture
def no_modl_include(monkeypatch):
    monkeypatch.delenv("MODL_INCLUDE", raising=False)


def test_parse_text_leaves_include_unresolved():
    (inc,) = parse('INCLUDE "sub.inc"\n').items
    assert inc == A.Include("sub.inc", "", (), A.Loc("t.mod", 1, 1))


def test_parse_file_resolves_include_next_to_the_file(tmp_path: Path, no_modl_include):
    (tmp_path / "sub.inc").write_text("PROCEDURE helper() {\n  x = 1\n}\n")
    main = tmp_path / "main.mod"
    main.write_text('NEURON { SUFFIX m }\nINCLUDE "sub.inc"\nINITIAL { helper() }\n')
    mod = parse_file(main)
    nb, inc, init = mod.items
    assert isinstance(inc, A.Include)
    assert (inc.path, inc.resolved, at(inc)) == ("sub.inc", str(tmp_path / "sub.inc"), (2, 1))
    (proc,) = inc.items
    assert (proc.kind, proc.name.name) == ("PROCEDURE", "helper")
    assert proc.loc == A.Loc(str(tmp_path / "sub.inc"), 1, 1)  # locations name the included file
    walked = list(mod.walk_items())
    assert walked == [nb, inc, proc, init]


def test_include_from_a_subfolder_resolves_relative_to_the_including_file(tmp_path: Path, no_modl_include):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "outer.inc").write_text('INCLUDE "inner.inc"\nFUNCTION f() { f = g() }\n')
    (lib / "inner.inc").write_text("FUNCTION g() { g = 1 }\n")
    (tmp_path / "main.mod").write_text('INCLUDE "lib/outer.inc"\n')
    mod = parse_file(tmp_path / "main.mod")
    (outer,) = mod.items
    assert outer.resolved == str(lib / "outer.inc")
    inner, f = outer.items
    assert inner.resolved == str(lib / "inner.inc")
    kinds = [type(i).__name__ + (f":{i.name.name}" if isinstance(i, A.Callable) else "") for i in mod.walk_items()]
    assert kinds == ["Include", "Include", "Callable:g", "Callable:f"]


def test_include_found_on_the_include_path(tmp_path: Path, no_modl_include):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "c.inc").write_text("CONSTANT { k = 2 }\n")
    (tmp_path / "m.mod").write_text('INCLUDE "c.inc"\n')
    (inc,) = parse_file(tmp_path / "m.mod", include_path=(str(shared),)).items
    assert inc.items[0].kind == "CONSTANT"


def test_missing_include_is_a_located_error(tmp_path: Path, no_modl_include):
    (tmp_path / "m.mod").write_text('NEURON { SUFFIX m }\nINCLUDE "nowhere.inc"\n')
    with pytest.raises(ModlcError, match="file not found") as err:
        parse_file(tmp_path / "m.mod")
    assert (err.value.diagnostics[0].loc.line, err.value.diagnostics[0].loc.col) == (2, 1)
