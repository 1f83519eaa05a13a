using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Configurations;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator.Configurations;

public sealed class ContentResolverTests
{
    private static long s_sequence;

    internal static DeviceConfiguration Config(string id, int priority, string deviceContent, long? sequence = null) => new()
    {
        Id = id,
        Priority = priority,
        Content = ConfigurationContent.Parse(JsonNode.Parse(deviceContent)!.AsObject()),
        TargetCondition = "*",
        Target = ConfigurationValidator.ParseTargetCondition("*"),
        CreatedTime = DateTimeOffset.UnixEpoch,
        LastUpdatedTime = DateTimeOffset.UnixEpoch,
        CreationSequence = sequence ?? Interlocked.Increment(ref s_sequence),
        ETagCounter = 1,
    };

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public void The_higher_priority_wins_a_path_whatever_the_order_given()
    {
        var low = Config("low", 1, """{"properties.desired.mode":"eco"}""");
        var high = Config("high", 10, """{"properties.desired.mode":"turbo"}""");
        foreach (var order in new[] { new[] { low, high }, [high, low] })
        {
            var result = ContentResolver.Resolve(order, new JsonObject());
            Assert.Equal("""{"mode":"turbo"}""", result.Patch!.ToJsonString());
            Assert.Equal(["high"], result.Applied);
        }
    }

    [Fact]
    public void On_a_priority_tie_the_most_recently_created_wins()
    {
        var older = Config("older", 5, """{"properties.desired.mode":"a"}""", sequence: 1);
        var newer = Config("newer", 5, """{"properties.desired.mode":"b"}""", sequence: 2);
        var result = ContentResolver.Resolve([newer, older], new JsonObject());
        Assert.Equal("b", (string?)result.Patch!["mode"]);
        Assert.Equal(["newer"], result.Applied);
    }

    [Fact]
    public void Objects_merge_so_a_lower_configuration_still_applies_the_paths_nobody_else_sets()
    {
        var low = Config("low", 1, """{"properties.desired.firmware":{"fwVersion":"1.0.0","fwPackageURI":"https://a"}}""");
        var high = Config("high", 10, """{"properties.desired.firmware.fwVersion":"1.0.1"}""");
        var result = ContentResolver.Resolve([low, high], new JsonObject());
        Assert.Equal("""{"firmware":{"fwVersion":"1.0.1","fwPackageURI":"https://a"}}""", result.Patch!.ToJsonString());
        Assert.Equal(["high", "low"], result.Applied.Order());
    }

    [Fact]
    public void A_value_at_an_outer_path_beats_a_weaker_inner_path_and_the_other_way_round()
    {
        var outerStrong = ContentResolver.Resolve([
            Config("outer", 10, """{"properties.desired.x":5}"""),
            Config("inner", 1, """{"properties.desired.x.y":1}"""),
        ], new JsonObject());
        Assert.Equal("""{"x":5}""", outerStrong.Patch!.ToJsonString());
        Assert.Equal(["outer"], outerStrong.Applied);

        var innerStrong = ContentResolver.Resolve([
            Config("outer", 1, """{"properties.desired.x":5}"""),
            Config("inner", 10, """{"properties.desired.x.y":1}"""),
        ], new JsonObject());
        Assert.Equal("""{"x":{"y":1}}""", innerStrong.Patch!.ToJsonString());
        Assert.Equal(["inner"], innerStrong.Applied);
    }

    [Fact]
    public void The_patch_holds_only_what_differs_and_is_null_when_nothing_does()
    {
        var config = Config("c", 1, """{"properties.desired.firmware":{"fwVersion":"1.0.1","check":"1234"},"properties.desired.rate":5}""");
        var current = Json("""{"firmware":{"fwVersion":"1.0.1","check":"0000","other":true},"rate":5,"untouched":1}""");
        var result = ContentResolver.Resolve([config], current);
        Assert.Equal("""{"firmware":{"check":"1234"}}""", result.Patch!.ToJsonString());

        var settled = Json("""{"firmware":{"fwVersion":"1.0.1","check":"1234","other":true},"rate":5.0}""");
        var again = ContentResolver.Resolve([config], settled);
        Assert.Null(again.Patch);
        Assert.Equal(["c"], again.Applied);
    }

    [Fact]
    public void Null_content_removes_a_property_only_when_it_is_there()
    {
        var config = Config("c", 1, """{"properties.desired.legacy":null}""");
        Assert.Equal("""{"legacy":null}""", ContentResolver.Resolve([config], Json("""{"legacy":1}""")).Patch!.ToJsonString());
        Assert.Null(ContentResolver.Resolve([config], Json("""{"other":1}""")).Patch);
    }

    [Fact]
    public void Content_replaces_a_value_where_it_wants_an_object()
    {
        var config = Config("c", 1, """{"properties.desired.firmware.fwVersion":"1.0.1"}""");
        Assert.Equal("""{"firmware":{"fwVersion":"1.0.1"}}""", ContentResolver.Resolve([config], Json("""{"firmware":"old"}""")).Patch!.ToJsonString());
    }

    [Fact]
    public void A_configuration_that_loses_every_path_is_not_applied()
    {
        var result = ContentResolver.Resolve([
            Config("a", 2, """{"properties.desired.p":1}"""),
            Config("b", 1, """{"properties.desired.p":2}"""),
        ], new JsonObject());
        Assert.Equal(["a"], result.Applied);
    }

    [Theory]
    [InlineData("""{"tags.x":1}""", "start with 'properties.desired'")]
    [InlineData("""{"properties.reported.x":1}""", "start with 'properties.desired'")]
    [InlineData("""{"properties.desired":5}""", "must hold an object")]
    [InlineData("""{"properties.desired.a b":1}""", "contains ' '")]
    [InlineData("""{"properties.desired.$version":1}""", "starts with '$'")]
    [InlineData("""{"properties.desired.a":1,"properties.desired.a.b":2}""", "goes inside 'a'")]
    [InlineData("""{"properties.desired.a":{"b":1},"properties.desired.a.b":2}""", "sets 'a.b' twice")]
    public void Bad_content_is_refused_with_the_reason(string content, string reason)
    {
        var ex = Assert.Throws<HubException>(() => ConfigurationContent.Parse(Json(content)));
        Assert.Equal(IotHubErrorCode.InvalidConfigurationContent, ex.Code);
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Content_is_bounded_by_the_desired_properties_limit()
    {
        var big = new JsonObject();
        for (var i = 0; i < 9; i++) big[$"properties.desired.p{i}"] = new string('x', 4000);
        var ex = Assert.Throws<HubException>(() => ConfigurationContent.Parse(big));
        Assert.Equal(IotHubErrorCode.InvalidConfigurationContent, ex.Code);
        Assert.Contains("32768", ex.Message);
    }

    [Fact]
    public void Paths_sharing_a_prefix_merge_into_one_tree()
    {
        var content = ConfigurationContent.Parse(Json("""{"properties.desired.a":{"x":1},"properties.desired.a.y":2,"properties.desired":{"b":true}}"""));
        Assert.Equal("""{"a":{"x":1,"y":2},"b":true}""", content.Tree.ToJsonString());
        Assert.Equal(["a.x", "a.y", "b"], content.Leaves.Select(l => l.ToString()));
    }
}
