using System.Text.Json.Nodes;
using CsCheck;

namespace IotLabKit.Query.Tests;

/// <summary>
/// Property-based tests: no input string makes the parser throw anything but a <see cref="QueryException"/>, and
/// generated valid queries over generated twins run and obey the laws of the language.
/// </summary>
public sealed class PropertyTests
{
    private const int Iterations = 3000;

    private static readonly string[] Vocabulary =
    [
        "SELECT", "TOP", "FROM", "WHERE", "GROUP", "BY", "ORDER", "AS", "AND", "OR", "NOT", "IN", "NIN", "TRUE", "false", "null",
        "undefined", "devices", "devices.modules", "devices.jobs", "modules", "jobs", "*", "(", ")", "[", "]", "[[", "]]", "[[x]]",
        ",", ".", "=", "!=", "<>", "<", "<=", ">", ">=", "+", "-", "/", "%", "'a'", "\"b\"", "'\\u0041'", "'\\'", "1", "0x1F",
        "1.5e3", "1e", "0x", "tags", "deviceId", "properties", "reported", "$metadata", "$version", "COUNT", "SUM", "AVG", "MIN",
        "MAX", "IS_DEFINED", "STARTSWITH", "STARTS_WITH", "CONCAT", "SUBSTRING", "FOO", ";", "@", "\\", "'", "\"", "é", "\0",
        "\uD800", "\n", "COUNT()", "tags.x", "tags.[[group]]", "properties.reported.$metadata.$lastUpdated",
    ];

    private static readonly string[] ValidQueries =
    [
        "SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'",
        "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'",
        "SELECT deviceId FROM devices WHERE configurations.[[firmwareupdate]].status='Applied'",
        "select deviceId from devices where configurations.[[my_config]].status = 'Applied'",
        "SELECT properties.reported.telemetryConfig.status AS status, COUNT() AS numberOfDevices FROM devices GROUP BY properties.reported.telemetryConfig.status",
        "SELECT TOP 3 deviceId, tags.a * 2 + 1 AS v FROM devices WHERE tags.a IN [1, 2, 'x'] OR NOT IS_DEFINED(tags.b)",
        "SELECT * FROM devices.modules WHERE moduleId = '$edgeAgent' AND properties.desired.$version = properties.reported.lastDesiredVersion",
        "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'job1' AND devices.jobs.createdTimeUtc > '2016-09-01'",
        "SELECT COUNT() AS n, SUM(tags.a) AS s, AVG(tags.a) AS m, MIN(tags.s) AS lo, MAX(tags.s) AS hi FROM devices WHERE STARTSWITH(deviceId, 'd')",
        "SELECT LOWER(deviceId) AS l, CONCAT(deviceId, \"\\u0041\\'\") AS c, SUBSTRING(deviceId, 0, 1) AS f FROM devices WHERE tags.a NIN [0x10, -1.5e2]",
    ];

    private static readonly JsonObject[] SampleTwins =
    [
        TestSupport.Twin("d1", tags: """{"a":1,"b":{"c":"x"},"s":"p","group":true}"""),
        TestSupport.Twin("d2", tags: """{"a":"1","s":null}"""),
        TestSupport.Doc("{}"),
    ];

    [Fact]
    public void Token_soup_only_ever_raises_query_exceptions()
    {
        var gen = Gen.Select(Gen.OneOfConst(Vocabulary).Array[0, 40], Gen.Bool, (tokens, spaced) => string.Join(spaced ? " " : "", tokens));

        gen.Sample(ParsesOrFailsCleanly, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Token_soup_after_a_valid_prefix_only_ever_raises_query_exceptions()
    {
        var gen = Gen.Select(
            Gen.OneOfConst("SELECT * FROM devices WHERE ", "SELECT ", "SELECT deviceId FROM devices GROUP BY ", "SELECT * FROM devices.jobs WHERE "),
            Gen.OneOfConst(Vocabulary).Array[0, 30],
            (prefix, tokens) => prefix + string.Join(" ", tokens));

        gen.Sample(ParsesOrFailsCleanly, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Arbitrary_strings_only_ever_raise_query_exceptions()
    {
        Gen.String.Sample(ParsesOrFailsCleanly, iter: Iterations, threads: 1);
        Gen.Char['\0', '\u007f'].Array[0, 80].Select(c => new string(c)).Sample(ParsesOrFailsCleanly, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Mutated_valid_queries_only_ever_raise_query_exceptions()
    {
        var mutation = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 10_000], Gen.Int[0, 10_000], Gen.OneOfConst(Vocabulary));
        var gen = Gen.Select(Gen.OneOfConst(ValidQueries), mutation.Array[1, 4], (query, mutations) =>
        {
            foreach (var (kind, a, b, token) in mutations)
            {
                query = Mutate(query, kind, a, b, token);
            }

            return query;
        });

        gen.Sample(ParsesOrFailsCleanly, iter: Iterations, threads: 1);
    }

    [Fact]
    public void The_valid_corpus_parses()
    {
        foreach (var query in ValidQueries)
        {
            Assert.NotNull(QueryParser.Parse(query).Execute(SampleTwins));
        }
    }

    [Fact]
    public void Generated_conditions_obey_the_laws_of_three_valued_logic()
    {
        var gen = Gen.Select(Condition, Condition, Twins);
        gen.Sample(sample =>
        {
            var (c1, c2, twins) = sample;
            var p = QueryParser.ParseCondition(c1);
            var q = QueryParser.ParseCondition(c2);
            var notP = QueryParser.ParseCondition($"NOT ({c1})");
            var pAndQ = QueryParser.ParseCondition($"({c1}) AND ({c2})");
            var pOrQ = QueryParser.ParseCondition($"({c1}) OR ({c2})");

            foreach (var twin in twins)
            {
                bool mp = p.Matches(twin), mq = q.Matches(twin);

                // Nothing satisfies a condition and its negation at once (undefined satisfies neither).
                Assert.False(mp && notP.Matches(twin));
                Assert.Equal(mp && mq, pAndQ.Matches(twin));
                Assert.Equal(mp || mq, pOrQ.Matches(twin));
            }

            // A full query filters with exactly the same rule as a stand-alone condition.
            var select = QueryParser.Parse($"SELECT * FROM devices WHERE {c1}").Execute(twins);
            Assert.Equal(twins.Where(p.Matches).ToArray(), select.Items.ToArray());
            var count = QueryParser.Parse($"SELECT COUNT() AS n FROM devices WHERE {c1}").Execute(twins);
            Assert.Equal(select.Items.Count, (int)(long)count.Items[0]["n"]!);
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Generated_queries_over_generated_twins_never_crash()
    {
        var gen = Gen.Select(Query, Twins);
        gen.Sample(sample =>
        {
            var (text, twins) = sample;
            var query = QueryParser.Parse(text);
            var result = query.Execute(twins);

            Assert.True(result.Items.Count <= (query.Top ?? int.MaxValue));
            Assert.Equal(query.ItemType, result.ItemType);
            foreach (var item in result.Items)
            {
                _ = item.ToJsonString();
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Group_counts_add_up_to_the_filtered_count()
    {
        var gen = Gen.Select(Gen.OneOfConst(Paths), Condition, Twins);
        gen.Sample(sample =>
        {
            var (key, condition, twins) = sample;
            var grouped = QueryParser.Parse($"SELECT {key} AS k, COUNT() AS n FROM devices WHERE {condition} GROUP BY {key}").Execute(twins);
            var total = QueryParser.Parse($"SELECT COUNT() AS n FROM devices WHERE {condition}").Execute(twins);

            Assert.Equal((long)total.Items[0]["n"]!, grouped.Items.Sum(row => (long)row["n"]!));
        }, iter: Iterations, threads: 1);
    }

    private static void ParsesOrFailsCleanly(string text)
    {
        try
        {
            QueryParser.Parse(text).Execute(SampleTwins);
        }
        catch (QueryException)
        {
        }

        try
        {
            var condition = QueryParser.ParseCondition(text);
            foreach (var twin in SampleTwins)
            {
                condition.Matches(twin);
            }
        }
        catch (QueryException)
        {
        }
    }

    private static string Mutate(string query, int kind, int a, int b, string token)
    {
        if (query.Length == 0)
        {
            return token;
        }

        var i = a % query.Length;
        var j = Math.Min(query.Length, i + 1 + (b % 8));
        return kind switch
        {
            0 => query.Remove(i, j - i),
            1 => query.Insert(i, token),
            2 => query[..i] + (char)(b % 128) + query[(i + 1)..],
            3 when i + 1 < query.Length => query[..i] + query[i + 1] + query[i] + query[(i + 2)..],
            4 => query[..i],
            _ => query.Insert(i, query[i..j]),
        };
    }

    // ---- Generators of valid queries and twins ----

    private static readonly string[] Paths =
    [
        "deviceId", "tags.a", "tags.b.c", "tags.s", "tags.[[group]]", "tags.missing", "properties.reported.x",
        "properties.desired.$version", "configurations.[[cfg]].status",
    ];

    private static readonly Gen<string> Literal = Gen.OneOf(
        Gen.Int[-3, 3].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOfConst("1.5", "-0.5", "0x2", "'a'", "'b'", "''", "\"A\"", "'\\u0061'", "true", "false", "null", "undefined"));

    private static readonly Gen<string> Operand = BuildOperand();

    private static Gen<string> BuildOperand()
    {
        var atom = Gen.OneOf(Gen.OneOfConst(Paths), Literal);
        var operand = atom;
        for (var depth = 0; depth < 2; depth++)
        {
            var inner = operand;
            operand = Gen.Frequency(
                (4, atom),
                (1, Gen.Select(inner, Gen.OneOfConst("+", "-", "*", "/", "%"), inner, (x, op, y) => $"({x} {op} {y})")),
                (1, Gen.Select(Gen.OneOfConst("LOWER", "UPPER", "LENGTH", "ABS", "FLOOR", "AS_NUMBER", "-"), inner, (f, x) => f == "-" ? $"-({x})" : $"{f}({x})")),
                (1, Gen.Select(inner, inner, (x, y) => $"CONCAT({x}, {y})")),
                (1, Gen.Select(inner, Gen.Int[-2, 6], Gen.Int[-1, 4], (x, s, l) => $"SUBSTRING({x}, {s}, {l})")));
        }

        return operand;
    }

    private static readonly Gen<string> Condition = BuildCondition();

    private static Gen<string> BuildCondition()
    {
        var atom = Gen.OneOf(
            Gen.Select(Operand, Gen.OneOfConst("=", "!=", "<>", "<", "<=", ">", ">="), Operand, (x, op, y) => $"{x} {op} {y}"),
            Gen.Select(Operand, Gen.OneOfConst("IN", "NIN", "NOT IN"), Literal.Array[0, 4], (x, op, list) => $"{x} {op} [{string.Join(", ", list)}]"),
            Gen.Select(Gen.OneOfConst("IS_DEFINED", "IS_NULL", "IS_STRING", "IS_NUMBER", "IS_BOOL", "IS_OBJECT", "IS_ARRAY", "IS_PRIMITIVE"), Operand, (f, x) => $"{f}({x})"),
            Gen.Select(Gen.OneOfConst("STARTSWITH", "ENDSWITH", "CONTAINS"), Operand, Operand, (f, x, y) => $"{f}({x}, {y})"),
            Gen.OneOfConst(Paths),
            Gen.OneOfConst("true", "false"));
        var condition = atom;
        for (var depth = 0; depth < 3; depth++)
        {
            var inner = condition;
            condition = Gen.Frequency(
                (3, atom),
                (1, inner.Select(c => $"NOT ({c})")),
                (1, Gen.Select(inner, inner, (x, y) => $"({x}) AND ({y})")),
                (1, Gen.Select(inner, inner, (x, y) => $"({x}) OR ({y})")));
        }

        return condition;
    }

    private static readonly Gen<string> Query = Gen.OneOf(
        Gen.Select(Gen.Int[0, 5], Condition, (top, c) => $"SELECT TOP {top} * FROM devices WHERE {c}"),
        Gen.Select(Operand.Array[1, 4], Condition, (items, c) => $"SELECT {string.Join(", ", items.Select((x, i) => $"{x} AS v{i}"))} FROM devices WHERE {c}"),
        Gen.Select(Operand, Operand, Condition, (x, y, c) => $"SELECT COUNT() AS n, SUM({x}) AS s, AVG({x}) AS m, MIN({y}) AS lo, MAX({y}) AS hi, COUNT({y}) AS d FROM devices WHERE {c}"),
        Gen.Select(Gen.OneOfConst(Paths), Operand, Gen.Int[0, 3], (key, x, top) => $"SELECT TOP {top} {key} AS k, MAX({x}) AS hi, COUNT() AS n FROM devices GROUP BY {key}"),
        Gen.Select(Gen.OneOfConst(Paths), Condition, (p, c) => $"SELECT * FROM devices.modules WHERE {c} AND devices.moduleId = {p}"),
        Condition.Select(c => $"SELECT * FROM devices.jobs WHERE {c.Replace("tags.", "devices.jobs.", StringComparison.Ordinal)}"));

    private static readonly Gen<JsonNode?> Json = BuildJson();

    private static Gen<JsonNode?> BuildJson()
    {
        var primitive = Gen.OneOf<JsonNode?>(
            Gen.Int[-3, 3].Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
            Gen.Double[-10, 10].Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.Decimal[-10, 10].Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.OneOfConst("a", "b", "A", "", "1", "Applied").Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Const<JsonNode?>(() => null));
        var json = primitive;
        for (var depth = 0; depth < 2; depth++)
        {
            var inner = json;
            json = Gen.Frequency(
                (4, primitive),
                (1, inner.Array[0, 3].Select(items => (JsonNode?)new JsonArray(items))),
                (1, Gen.Select(inner, inner, (x, y) => (JsonNode?)new JsonObject { ["c"] = x, ["status"] = y })));
        }

        return json;
    }

    private static readonly Gen<JsonObject> Twin = Gen.Select(Json.Array[9], Gen.Int[0, 511], Gen.Bool, (values, present, reparse) =>
    {
        var twin = new JsonObject();
        for (var i = 0; i < Paths.Length; i++)
        {
            if ((present & (1 << i)) != 0)
            {
                Set(twin, Paths[i], values[i]?.DeepClone());
            }
        }

        // Half the twins come from JSON text, like the store's, half are built in code.
        return reparse ? JsonNode.Parse(twin.ToJsonString())!.AsObject() : twin;
    });

    private static readonly Gen<JsonObject[]> Twins = Twin.Array[0, 6];

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var segments = path.Replace("[[", "", StringComparison.Ordinal).Replace("]]", "", StringComparison.Ordinal).Split('.');
        var current = root;
        foreach (var segment in segments[..^1])
        {
            if (current[segment] is not JsonObject next)
            {
                next = new JsonObject();
                current[segment] = next;
            }

            current = next;
        }

        current[segments[^1]] = value;
    }
}
