using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Twins;

namespace IotLabKit.UnitTests.Emulator;

public class TwinMergeTests
{
    private static readonly MetadataStamp T1 = new("2025-01-01T00:00:00.0000000Z", 2);
    private static readonly MetadataStamp T2 = new("2025-01-02T00:00:00.0000000Z", 3);

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Merge_adds_overwrites_and_recurses()
    {
        var values = Obj("""{"a":1,"n":{"x":1,"y":2}}""");
        var meta = TwinMerge.BuildMetadata(values, T1);
        TwinMerge.MergeSection(values, meta, Obj("""{"a":2,"b":"new","n":{"y":3,"z":4}}"""), T2);
        Assert.Equal("""{"a":2,"n":{"x":1,"y":3,"z":4},"b":"new"}""", values.ToJsonString());
    }

    [Fact]
    public void Null_deletes_a_member_and_its_metadata()
    {
        var values = Obj("""{"a":1,"n":{"x":1,"y":2}}""");
        var meta = TwinMerge.BuildMetadata(values, T1);
        TwinMerge.MergeSection(values, meta, Obj("""{"a":null,"n":{"x":null}}"""), T2);
        Assert.Equal("""{"n":{"y":2}}""", values.ToJsonString());
        Assert.False(meta.ContainsKey("a"));
        Assert.False(meta["n"]!.AsObject().ContainsKey("x"));
        Assert.True(meta["n"]!.AsObject().ContainsKey("y"));
    }

    [Fact]
    public void Null_on_a_missing_member_creates_nothing()
    {
        var values = Obj("""{"a":1}""");
        var meta = TwinMerge.BuildMetadata(values, T1);
        var changed = TwinMerge.MergeSection(values, meta, Obj("""{"missing":null}"""), T2);
        Assert.False(changed);
        Assert.Equal("""{"a":1}""", values.ToJsonString());
        Assert.False(meta.ContainsKey("missing"));
    }

    [Fact]
    public void Object_patch_with_only_nulls_on_a_missing_parent_creates_an_empty_parent()
    {
        var values = new JsonObject();
        var meta = TwinMerge.BuildMetadata(values, T1);
        TwinMerge.MergeSection(values, meta, Obj("""{"a":{"b":null}}"""), T2);
        Assert.Equal("""{"a":{}}""", values.ToJsonString());
        Assert.Equal(T2.LastUpdated, (string?)meta["a"]!["$lastUpdated"]);
    }

    [Fact]
    public void Written_nodes_and_ancestors_are_stamped_untouched_members_keep_old_metadata()
    {
        var values = Obj("""{"keep":1,"n":{"old":1,"deep":{"v":1}}}""");
        var meta = TwinMerge.BuildMetadata(values, T1);
        TwinMerge.MergeSection(values, meta, Obj("""{"n":{"deep":{"v":2}}}"""), T2);

        Assert.Equal(T2.LastUpdated, (string?)meta["$lastUpdated"]);
        Assert.Equal(3, (long)meta["$lastUpdatedVersion"]!);
        Assert.Equal(T2.LastUpdated, (string?)meta["n"]!["$lastUpdated"]);
        Assert.Equal(T2.LastUpdated, (string?)meta["n"]!["deep"]!["$lastUpdated"]);
        Assert.Equal(3, (long)meta["n"]!["deep"]!["v"]!["$lastUpdatedVersion"]!);
        Assert.Equal(T1.LastUpdated, (string?)meta["keep"]!["$lastUpdated"]);
        Assert.Equal(2, (long)meta["keep"]!["$lastUpdatedVersion"]!);
        Assert.Equal(T1.LastUpdated, (string?)meta["n"]!["old"]!["$lastUpdated"]);
    }

    [Fact]
    public void Reported_stamps_carry_no_lastUpdatedVersion()
    {
        var values = new JsonObject();
        var meta = new JsonObject();
        TwinMerge.MergeSection(values, meta, Obj("""{"t":{"c":21.5}}"""), new MetadataStamp("2025-01-01T00:00:00.0000000Z", null));
        Assert.False(meta.ContainsKey("$lastUpdatedVersion"));
        Assert.False(meta["t"]!["c"]!.AsObject().ContainsKey("$lastUpdatedVersion"));
        Assert.NotNull(meta["t"]!["c"]!["$lastUpdated"]);
    }

    [Fact]
    public void Scalar_replaced_by_object_and_object_by_array_get_fresh_metadata()
    {
        var values = Obj("""{"a":1,"b":{"x":1}}""");
        var meta = TwinMerge.BuildMetadata(values, T1);
        TwinMerge.MergeSection(values, meta, Obj("""{"a":{"k":true},"b":[1,2]}"""), T2);
        Assert.Equal("""{"a":{"k":true},"b":[1,2]}""", values.ToJsonString());
        Assert.Equal(T2.LastUpdated, (string?)meta["a"]!["k"]!["$lastUpdated"]);
        Assert.False(meta["b"]!.AsObject().ContainsKey("x"));
    }

    [Fact]
    public void Tags_merge_with_the_same_rules_and_no_metadata()
    {
        var tags = Obj("""{"env":"dev","loc":{"b":"43","f":2}}""");
        TwinMerge.MergeTags(tags, Obj("""{"env":null,"loc":{"f":3},"new":{"x":null},"gone":null}"""));
        Assert.Equal("""{"loc":{"b":"43","f":3},"new":{}}""", tags.ToJsonString());
    }

    [Fact]
    public void A_fresh_root_gets_lastUpdatedVersion_right_after_lastUpdated()
    {
        var values = new JsonObject();
        var meta = new JsonObject { ["$lastUpdated"] = "2024-01-01T00:00:00Z" };
        TwinMerge.MergeSection(values, meta, Obj("""{"a":1}"""), T2);
        Assert.Equal(["$lastUpdated", "$lastUpdatedVersion", "a"], meta.Select(p => p.Key).ToArray());
    }
}
