namespace IotLabKit.Device.Tests.Unit;

public class TwinCollectionTests
{
    [Fact]
    public void Lab_code_reads_string_values_as_numbers_through_dynamic()
    {
        var desired = new TwinCollection("{\"patchId\":\"set values\",\"temperature\":\"50\",\"humidity\":\"85\",\"$version\":3}");
        double temperature = desired["temperature"];
        double humidity = desired["humidity"];
        string patchId = desired["patchId"];
        Assert.Equal(50.0, temperature);
        Assert.Equal(85.0, humidity);
        Assert.Equal("set values", patchId);
        Assert.Equal(3, desired.Version);
        Assert.Equal(3, desired.Count);
    }

    [Fact]
    public void Numbers_and_booleans_convert_and_pass_as_strings()
    {
        var c = new TwinCollection("{\"delay\":5,\"ratio\":0.25,\"on\":true,\"level\":\"On\"}");
        int delay = c["delay"];
        long delayLong = c["delay"];
        double ratio = c["ratio"];
        bool on = c["on"];
        Assert.Equal(5, delay);
        Assert.Equal(5L, delayLong);
        Assert.Equal(0.25, ratio);
        Assert.True(on);
        Assert.Equal(5, int.Parse(c["delay"])); // a value passes where a string is expected
        Assert.Equal(DayOfWeek.Monday, (DayOfWeek)Enum.Parse(typeof(DayOfWeek), (string)new TwinCollection("{\"d\":\"Monday\"}")["d"]));
        Assert.True(c["level"] == "On");
        Assert.True(c["delay"] > 4);
    }

    [Fact]
    public void Nested_objects_are_collections_and_arrays_index()
    {
        var c = new TwinCollection("{\"firmware\":{\"fwVersion\":\"1.0.1\",\"fwPackageURI\":\"https://MyPackage.uri\"},\"list\":[1,\"two\"]}");
        Assert.True(c.Contains("firmware"));
        var firmware = c["firmware"];
        Assert.IsType<TwinCollection>(firmware);
        string version = firmware["fwVersion"];
        Assert.Equal("1.0.1", version);
        int first = c["list"][0];
        string second = c["list"][1];
        Assert.Equal(1, first);
        Assert.Equal("two", second);
        Assert.Equal("1.0.1", (string)c.AsDynamic().firmware.fwVersion);
    }

    [Fact]
    public void Reading_a_missing_property_throws_and_contains_says_so()
    {
        var c = new TwinCollection();
        Assert.False(c.Contains("x"));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => (object?)c["x"]);
        Assert.Contains("Contains(\"x\")", ex.Message);
    }

    [Fact]
    public void Writing_builds_the_json_a_reported_patch_sends()
    {
        var reported = new TwinCollection();
        reported["fanstate"] = "Off";
        reported["humidity"] = 85.5;
        reported["count"] = 3;
        reported["removed"] = null;
        var firmware = new TwinCollection();
        firmware["currentFwVersion"] = "1.0.0";
        reported["firmware"] = firmware;
        reported["anon"] = new { a = 1, b = "x" };
        Assert.Equal("{\"fanstate\":\"Off\",\"humidity\":85.5,\"count\":3,\"removed\":null,\"firmware\":{\"currentFwVersion\":\"1.0.0\"},\"anon\":{\"a\":1,\"b\":\"x\"}}", reported.ToJson());
    }

    [Fact]
    public void Doubles_keep_a_decimal_point_as_Microsofts_SDK_writes_them()
    {
        // AZ-220 Lab 15's device prints this line; the course's output (Newtonsoft) shows 85.0 and 50.0.
        var reported = new TwinCollection();
        reported["fanstate"] = "Off";
        reported["humidity"] = 85.0;
        reported["temperature"] = 50d;
        reported["ratio"] = 0.25f;
        reported["huge"] = 1e20;
        reported["count"] = 3;
        Assert.Equal("{\"fanstate\":\"Off\",\"humidity\":85.0,\"temperature\":50.0,\"ratio\":0.25,\"huge\":1E+20,\"count\":3}", reported.ToJson());

        double humidity = reported["humidity"];
        Assert.Equal(85.0, humidity);
        Assert.Equal(1e20, (double)reported["huge"]);
    }

    [Fact]
    public void Patches_leave_out_version_and_metadata()
    {
        var c = new TwinCollection("{\"a\":1,\"$version\":4,\"$metadata\":{}}");
        Assert.Equal("{\"a\":1}", c.ToPatch().ToJsonString());
        Assert.Equal(["a"], c.Select(p => p.Key));
    }

    [Fact]
    public void Values_that_do_not_convert_say_what_and_why()
    {
        var c = new TwinCollection("{\"mode\":\"fast\"}");
        var ex = Assert.Throws<InvalidCastException>(() => { double d = c["mode"]; return d; });
        Assert.Contains("\"fast\"", ex.Message);
    }

    [Fact]
    public void Non_objects_are_refused()
        => Assert.Throws<ArgumentException>(() => new TwinCollection("[1,2]"));
}

internal static class TwinCollectionTestExtensions
{
    public static dynamic AsDynamic(this TwinCollection c) => c;
}
