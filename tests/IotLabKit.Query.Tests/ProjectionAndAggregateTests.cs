using System.Text.Json.Nodes;
using static IotLabKit.Query.Tests.TestSupport;

namespace IotLabKit.Query.Tests;

/// <summary>SELECT lists, aliases, aggregates, GROUP BY and TOP.</summary>
public sealed class ProjectionAndAggregateTests
{
    private static readonly JsonObject[] Fleet =
    [
        Twin("d1", tags: """{"site":"A","floor":1,"info":{"owner":"ann"},"nothing":null}""", reported: """{"temp":20,"mode":"eco"}"""),
        Twin("d2", tags: """{"site":"B","floor":2}""", reported: """{"temp":22.5,"mode":"eco"}"""),
        Twin("d3", tags: """{"site":"A","floor":1}""", reported: """{"temp":"hot","mode":"boost"}"""),
        Twin("d4", tags: """{"floor":3}""", reported: """{"temp":30}"""),
    ];

    [Fact]
    public void Projection_keys_are_alias_or_last_segment_and_undefined_is_left_out()
    {
        var result = Run("SELECT deviceId, tags.site, properties.reported.temp AS t, tags.nothing FROM devices WHERE tags.floor < 3", Fleet);

        Assert.Equal(QueryItemType.Raw, result.ItemType);
        Assert.Equal(
            """[{"deviceId":"d1","site":"A","t":20,"nothing":null},{"deviceId":"d2","site":"B","t":22.5},{"deviceId":"d3","site":"A","t":"hot"}]""",
            Json(result));
    }

    [Fact]
    public void Projected_objects_are_copies()
    {
        var result = Run("SELECT tags.info FROM devices WHERE deviceId = 'd1'", Fleet);
        result.Items[0]["info"]!["owner"] = "changed";

        Assert.Equal("ann", (string)Fleet[0]["tags"]!["info"]!["owner"]!);
    }

    [Fact]
    public void Computed_elements_without_alias_are_numbered()
    {
        var result = Run("SELECT deviceId, tags.floor * 10, UPPER(tags.site) FROM devices WHERE deviceId = 'd2'", Fleet);

        Assert.Equal("""[{"deviceId":"d2","$1":20,"$2":"B"}]""", Json(result));
    }

    [Fact]
    public void Aggregates_without_group_by_give_one_row_even_for_no_matches()
    {
        Assert.Equal("""[{"n":0}]""", Json(Run("SELECT COUNT() AS n FROM devices WHERE tags.site = 'Z'", Fleet)));
        Assert.Equal("""[{"n":4}]""", Json(Run("SELECT COUNT() AS n FROM devices", Fleet)));
        Assert.Equal("""[{"$1":2}]""", Json(Run("SELECT COUNT() FROM devices WHERE tags.site = 'A'", Fleet)));
    }

    [Fact]
    public void Sum_avg_min_max_use_numbers_and_skip_other_types()
    {
        var result = Run(
            """
            SELECT SUM(properties.reported.temp) AS total, AVG(properties.reported.temp) AS mean,
                   MIN(properties.reported.temp) AS low, MAX(tags.floor) AS highest, COUNT(tags.site) AS sited
              FROM devices
            """,
            Fleet);

        // temp "hot" is skipped by SUM and AVG: (20 + 22.5 + 30) / 3.
        Assert.Equal("""[{"total":72.5,"mean":24.166666666666668,"low":20,"highest":3,"sited":3}]""", Json(result));
    }

    [Fact]
    public void Integral_sums_are_written_as_integers()
    {
        var row = Run("SELECT SUM(tags.floor) AS s, AVG(tags.floor) AS a FROM devices WHERE tags.floor <= 2", Fleet).Items[0];

        Assert.Equal(4L, row["s"]!.GetValue<long>());
        Assert.Equal("4", row["s"]!.ToJsonString());
        Assert.Equal("1.3333333333333333", row["a"]!.ToJsonString());
    }

    [Fact]
    public void Avg_min_max_of_nothing_leave_their_key_out_and_sum_is_zero()
    {
        var result = Run("SELECT SUM(tags.nope) AS s, AVG(tags.nope) AS a, MIN(tags.nope) AS lo, MAX(tags.nope) AS hi FROM devices", Fleet);

        Assert.Equal("""[{"s":0}]""", Json(result));
    }

    [Fact]
    public void Min_and_max_order_numbers_before_strings()
    {
        var result = Run("SELECT MIN(properties.reported.temp) AS lo, MAX(properties.reported.temp) AS hi FROM devices", Fleet);

        Assert.Equal("""[{"lo":20,"hi":"hot"}]""", Json(result));
    }

    [Fact]
    public void Group_by_several_keys_with_undefined_as_its_own_group()
    {
        var result = Run(
            "SELECT tags.site AS site, properties.reported.mode AS mode, COUNT() AS n FROM devices GROUP BY tags.site, properties.reported.mode",
            Fleet);

        Assert.Equal(
            """[{"n":1,"site":"A","mode":"eco"},{"n":1,"site":"B","mode":"eco"},{"n":1,"site":"A","mode":"boost"},{"n":1}]""",
            Json(result));
    }

    [Fact]
    public void Group_by_without_selecting_the_key_and_with_aggregates_per_group()
    {
        var result = Run("SELECT AVG(tags.floor) AS floor, COUNT() AS n FROM devices WHERE IS_DEFINED(tags.site) GROUP BY tags.site", Fleet);

        Assert.Equal("""[{"floor":1,"n":2},{"floor":2,"n":1}]""", Json(result));
    }

    [Fact]
    public void Group_by_key_matches_select_element_regardless_of_root_name_case()
    {
        var result = Run("SELECT Tags.site, COUNT() AS n FROM devices GROUP BY tags.site", Fleet);

        Assert.Equal("""[{"n":2,"site":"A"},{"n":1,"site":"B"},{"n":1}]""", Json(result));
    }

    [Fact]
    public void Group_by_numbers_treats_equal_values_as_one_group()
    {
        var twins = new[] { Doc("""{"deviceId":"a","tags":{"v":1}}"""), Doc("""{"deviceId":"b","tags":{"v":1.0}}"""), Doc("""{"deviceId":"c","tags":{"v":"1"}}""") };

        Assert.Equal("""[{"n":2,"v":1},{"n":1,"v":"1"}]""", Json(Run("SELECT tags.v, COUNT() AS n FROM devices GROUP BY tags.v", twins)));
    }

    [Fact]
    public void Group_keys_of_different_values_never_collide()
    {
        var twins = new[]
        {
            Doc("""{"tags":{"x":"a1:","y":"b"}}"""),
            Doc("""{"tags":{"x":"a","y":"1:b"}}"""),
            Doc("""{"tags":{"x":null,"y":"b"}}"""),
            Doc("""{"tags":{"y":"b"}}"""),
            Doc("""{"tags":{"x":"null","y":"b"}}"""),
            Doc("""{"tags":{"x":-0.0,"y":"b"}}"""),
            Doc("""{"tags":{"x":0,"y":"b"}}"""),
        };

        var result = Run("SELECT tags.x, tags.y, COUNT() AS n FROM devices GROUP BY tags.x, tags.y", twins);

        Assert.Equal(
            """[{"n":1,"x":"a1:","y":"b"},{"n":1,"x":"a","y":"1:b"},{"n":1,"x":null,"y":"b"},{"n":1,"y":"b"},{"n":1,"x":"null","y":"b"},{"n":2,"x":0,"y":"b"}]""",
            Json(result));
    }

    [Fact]
    public void Top_limits_rows_for_plain_projected_and_grouped_queries()
    {
        Assert.Equal(["d1", "d2"], Matching("SELECT TOP 2 * FROM devices", Fleet));
        Assert.Equal(["d2", "d4"], Ids(Run("SELECT TOP 2 deviceId FROM devices WHERE tags.floor >= 2", Fleet)));
        Assert.Equal("""[{"n":2,"site":"A"}]""", Json(Run("SELECT TOP 1 tags.site, COUNT() AS n FROM devices GROUP BY tags.site", Fleet)));
        Assert.Equal("""[{"n":4}]""", Json(Run("SELECT TOP 1 COUNT() AS n FROM devices", Fleet)));
        Assert.Empty(Run("SELECT TOP 0 COUNT() AS n FROM devices", Fleet).Items);
        Assert.Equal(4, Run("SELECT TOP 100 * FROM devices", Fleet).Items.Count);
    }

    [Fact]
    public void Top_stops_reading_the_source()
    {
        var read = 0;
        IEnumerable<JsonObject> Counting()
        {
            foreach (var twin in Fleet)
            {
                read++;
                yield return twin;
            }
        }

        QueryParser.Parse("SELECT TOP 1 * FROM devices").Execute(Counting());

        Assert.Equal(1, read);
    }

    [Theory]
    [InlineData("SELECT deviceId, COUNT() FROM devices", "'deviceId' must be inside an aggregate")]
    [InlineData("SELECT deviceId, COUNT() FROM devices GROUP BY tags.site", "'deviceId' is neither in GROUP BY nor inside an aggregate")]
    [InlineData("SELECT * FROM devices GROUP BY tags.site", "SELECT * cannot be used with GROUP BY")]
    [InlineData("SELECT * FROM devices WHERE COUNT() > 1", "aggregate COUNT() is not allowed in WHERE")]
    [InlineData("SELECT COUNT() FROM devices GROUP BY SUM(tags.x)", "aggregate SUM() is not allowed in GROUP BY")]
    [InlineData("SELECT COUNT() + 1 AS n FROM devices", "aggregate COUNT() is not allowed in part of a SELECT element")]
    [InlineData("SELECT SUM(COUNT()) FROM devices", "aggregate COUNT() is not allowed in the argument of an aggregate")]
    [InlineData("SELECT tags.a.x, tags.b.x FROM devices", "two SELECT elements are both named 'x'")]
    [InlineData("SELECT deviceId AS n, COUNT() AS n FROM devices GROUP BY deviceId", "two SELECT elements are both named 'n'")]
    [InlineData("SELECT * FROM devices ORDER BY deviceId", "ORDER BY is not supported")]
    [InlineData("SELECT COUNT() FROM devices.modules GROUP BY moduleId", "GROUP BY is supported only FROM devices")]
    [InlineData("SELECT * FROM devices WHERE deviceId IN [tags.x]", "an array constant may hold only literals")]
    public void Semantic_errors_are_clear(string query, string message)
    {
        var error = Assert.Throws<QuerySemanticException>(() => QueryParser.Parse(query));

        Assert.Contains(message, error.Message);
        Assert.True(error.Position > 0);
    }
}
