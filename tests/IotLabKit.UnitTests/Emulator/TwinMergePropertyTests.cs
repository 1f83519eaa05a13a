using System.Text.Json.Nodes;
using CsCheck;
using IotLabKit.Emulator.Core.Twins;

namespace IotLabKit.UnitTests.Emulator;

/// <summary>Random patch sequences against the merge rules: what must hold whatever the patches are.</summary>
public class TwinMergePropertyTests
{
    private static readonly Gen<string> Key = Gen.OneOfConst("a", "b", "c", "d");

    private static Gen<JsonNode?> Value(int depth) => depth <= 0
        ? Gen.Frequency((3, Gen.Int[-5, 5].Select(i => (JsonNode?)JsonValue.Create(i))), (1, Gen.Const((JsonNode?)null)))
        : Gen.Frequency(
            (3, Gen.Int[-5, 5].Select(i => (JsonNode?)JsonValue.Create(i))),
            (2, Gen.Const((JsonNode?)null)),
            (2, Patch(depth - 1).Select(o => (JsonNode?)o)));

    private static Gen<JsonObject> Patch(int depth)
        => Gen.Select(Key, Value(depth)).Array[0, 4].Select(pairs =>
        {
            var obj = new JsonObject();
            foreach (var (k, v) in pairs) obj[k] = v?.DeepClone();
            return obj;
        });

    // The metadata tree has exactly the value tree's members at every object level, plus the stamps.
    private static void AssertMirrors(JsonObject values, JsonObject metadata)
    {
        var metaKeys = metadata.Select(p => p.Key).Where(k => !k.StartsWith('$')).Order().ToArray();
        Assert.Equal(values.Select(p => p.Key).Order().ToArray(), metaKeys);
        Assert.NotNull(metadata[TwinMerge.LastUpdated]);
        foreach (var (key, value) in values)
        {
            var childMeta = Assert.IsType<JsonObject>(metadata[key]);
            if (value is JsonObject child) AssertMirrors(child, childMeta);
            else Assert.NotNull(childMeta[TwinMerge.LastUpdated]);
        }
    }

    // After a merge every non-null leaf of the patch is in place and every null member is gone.
    private static void AssertApplied(JsonObject values, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null) Assert.False(values.ContainsKey(key));
            else if (value is JsonObject child) AssertApplied(Assert.IsType<JsonObject>(values[key]), child);
            else Assert.True(JsonNode.DeepEquals(value, values[key]));
        }
    }

    [Fact]
    public void Metadata_mirrors_values_and_patches_apply_whatever_the_sequence()
    {
        Patch(3).Array[1, 6].Sample(patches =>
        {
            var values = new JsonObject();
            var metadata = new JsonObject { [TwinMerge.LastUpdated] = "t0" };
            var version = 1L;
            foreach (var patch in patches)
            {
                version++;
                TwinMerge.MergeSection(values, metadata, patch, new MetadataStamp($"t{version}", version));
                AssertApplied(values, patch);
                AssertMirrors(values, metadata);
                Assert.Equal(version, (long)metadata[TwinMerge.LastUpdatedVersion]!);
            }
        }, iter: 2000);
    }

    [Fact]
    public void Tags_end_up_equal_to_the_same_patches_merged_as_a_section()
    {
        Patch(3).Array[1, 6].Sample(patches =>
        {
            var tags = new JsonObject();
            var values = new JsonObject();
            var metadata = new JsonObject();
            foreach (var patch in patches)
            {
                TwinMerge.MergeTags(tags, patch);
                TwinMerge.MergeSection(values, metadata, patch, new MetadataStamp("t", 1));
            }
            Assert.True(JsonNode.DeepEquals(tags, values));
        }, iter: 2000);
    }
}
