using System.Text;

namespace IotLabKit.Device.Tests.Unit;

public class MethodDispatcherTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task No_handler_answers_501()
    {
        var dispatcher = new MethodDispatcher();
        var response = await dispatcher.InvokeAsync("reboot", Utf8("{}"));
        Assert.Equal(501, response.Status);
        Assert.Empty(response.Result);
    }

    [Fact]
    public async Task The_named_handler_gets_name_payload_and_context()
    {
        var dispatcher = new MethodDispatcher();
        MethodRequest? seen = null;
        object? context = null;
        dispatcher.Set("SetFanState", (req, ctx) => { seen = req; context = ctx; return Task.FromResult(new MethodResponse(Utf8("{\"result\":\"ok\"}"), 200)); }, "ctx");
        var response = await dispatcher.InvokeAsync("SetFanState", Utf8("\"On\""));
        Assert.Equal(200, response.Status);
        Assert.Equal("{\"result\":\"ok\"}", response.ResultAsJson);
        Assert.Equal("SetFanState", seen!.Name);
        Assert.Equal("\"On\"", seen.DataAsJson);
        Assert.Equal("ctx", context);
    }

    [Fact]
    public async Task Names_match_exactly()
    {
        var dispatcher = new MethodDispatcher();
        dispatcher.Set("reboot", (_, _) => Task.FromResult(new MethodResponse(200)), null);
        Assert.Equal(501, (await dispatcher.InvokeAsync("Reboot", [])).Status);
    }

    [Fact]
    public async Task The_default_handler_takes_unknown_names()
    {
        var dispatcher = new MethodDispatcher();
        dispatcher.Set("known", (_, _) => Task.FromResult(new MethodResponse(201)), null);
        dispatcher.SetDefault((req, _) => Task.FromResult(new MethodResponse(Utf8($"\"{req.Name}\""), 202)), null);
        Assert.Equal(201, (await dispatcher.InvokeAsync("known", [])).Status);
        var other = await dispatcher.InvokeAsync("other", []);
        Assert.Equal(202, other.Status);
        Assert.Equal("\"other\"", other.ResultAsJson);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"a\":1")]
    [InlineData("{} {}")]
    public async Task A_payload_that_is_not_json_answers_400_without_calling_the_handler(string payload)
    {
        var dispatcher = new MethodDispatcher();
        var called = false;
        dispatcher.Set("m", (_, _) => { called = true; return Task.FromResult(new MethodResponse(200)); }, null);
        Assert.Equal(400, (await dispatcher.InvokeAsync("m", Utf8(payload))).Status);
        Assert.False(called);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("10")]
    [InlineData("\"On\"")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public async Task Any_json_value_or_no_payload_reaches_the_handler(string payload)
    {
        var dispatcher = new MethodDispatcher();
        dispatcher.Set("m", (_, _) => Task.FromResult(new MethodResponse(200)), null);
        Assert.Equal(200, (await dispatcher.InvokeAsync("m", Utf8(payload))).Status);
    }

    [Fact]
    public async Task A_throwing_handler_answers_500()
    {
        var dispatcher = new MethodDispatcher();
        dispatcher.Set("m", (_, _) => throw new InvalidOperationException("boom"), null);
        dispatcher.Set("async", async (_, _) => { await Task.Yield(); throw new InvalidOperationException("boom"); }, null);
        var reported = new List<Exception>();
        Assert.Equal(500, (await dispatcher.InvokeAsync("m", [], reported.Add)).Status);
        Assert.Equal(500, (await dispatcher.InvokeAsync("async", [], reported.Add)).Status);
        Assert.Equal(2, reported.Count);
        Assert.All(reported, e => Assert.Equal("boom", e.Message));
    }

    [Fact]
    public async Task Removing_the_last_handler_leaves_none()
    {
        var dispatcher = new MethodDispatcher();
        dispatcher.Set("m", (_, _) => Task.FromResult(new MethodResponse(200)), null);
        Assert.True(dispatcher.HasHandlers);
        dispatcher.Set("m", null, null);
        Assert.False(dispatcher.HasHandlers);
        Assert.Equal(501, (await dispatcher.InvokeAsync("m", [])).Status);
    }
}
