using System.Text.Json.Nodes;
using static IotLabKit.Query.Tests.TestSupport;

namespace IotLabKit.Query.Tests;

/// <summary>Stand-alone conditions: jobs' queryCondition and configurations' targetCondition.</summary>
public sealed class ConditionTests
{
    private static readonly JsonObject D1 = Twin("d1", tags: """{"building":"43","environment":"test"}""");
    private static readonly JsonObject D2 = Twin("d2", tags: """{"building":"44"}""");

    [Fact]
    public void Star_matches_everything()
    {
        var condition = QueryParser.ParseCondition("*");

        Assert.True(condition.MatchesAll);
        Assert.Equal(QueryCollection.Devices, condition.Collection);
        Assert.True(condition.Matches(D1));
        Assert.True(condition.Matches(Doc("{}")));
    }

    [Theory]
    [InlineData("deviceId = 'd1'", true, false)]
    [InlineData("deviceId IN ['d1', 'd2']", true, true)]
    [InlineData("tags.building = '43'", true, false)]
    [InlineData("tags.environment='test'", true, false)]
    [InlineData("  tags.building != '43' ", false, true)]
    [InlineData("NOT IS_DEFINED(tags.environment)", false, true)]
    public void Job_and_configuration_conditions(string text, bool d1, bool d2)
    {
        var condition = QueryParser.ParseCondition(text);

        Assert.False(condition.MatchesAll);
        Assert.Equal(text, condition.Text);
        Assert.Equal(d1, condition.Matches(D1));
        Assert.Equal(d2, condition.Matches(D2));
    }

    [Fact]
    public void Module_configuration_target_with_from_clause()
    {
        var condition = QueryParser.ParseCondition("FROM devices.modules WHERE moduleId = '$edgeAgent' AND tags.environment = 'test'");
        var agent = Doc("""{"deviceId":"e1","moduleId":"$edgeAgent","tags":{"environment":"test"}}""");
        var hub = Doc("""{"deviceId":"e1","moduleId":"$edgeHub","tags":{"environment":"test"}}""");

        Assert.Equal(QueryCollection.DevicesModules, condition.Collection);
        Assert.True(condition.Matches(agent));
        Assert.False(condition.Matches(hub));
    }

    [Fact]
    public void Bare_from_clause_matches_all_of_that_collection()
    {
        var condition = QueryParser.ParseCondition("from devices.modules");

        Assert.True(condition.MatchesAll);
        Assert.Equal(QueryCollection.DevicesModules, condition.Collection);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Empty_condition_is_a_syntax_error(string? text)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.ParseCondition(text!));

        Assert.Contains("the condition is empty", error.Message);
    }

    [Theory]
    [InlineData("deviceId = 'd1' deviceId", "expected AND, OR or the end of the condition after the condition at position 17, found 'deviceId'")]
    [InlineData("* AND deviceId = 'd1'", "expected a value, property path or function call at position 1, found '*'")]
    [InlineData("FROM devices.modules moduleId = 'x'", "expected WHERE or the end of the condition after the FROM clause at position 22, found 'moduleId'")]
    public void Malformed_conditions_say_where(string text, string message)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.ParseCondition(text));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Aggregates_are_not_conditions()
    {
        var error = Assert.Throws<QuerySemanticException>(() => QueryParser.ParseCondition("COUNT() > 1"));

        Assert.Contains("aggregate COUNT() is not allowed in a condition", error.Message);
        Assert.Equal(1, error.Position);
    }
}
