using System.Net;
using System.Text;
using IotLabKit.Service;

namespace IotLabKit.UnitTests.Service;

/// <summary>
/// A scripted stand-in for IoT Hub's REST endpoint: it records each request (method, URI, headers, body) and
/// answers from a list, the last answer repeating. The service clients' own plumbing runs unchanged on top.
/// </summary>
internal sealed class ServiceScriptedHub(params ServiceScriptedHub.Answer[] answers) : HttpMessageHandler
{
    public const string Key = "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzLTAwMDA=";
    public const string ConnectionString = $"HostName=localhost:8443;SharedAccessKeyName=iothubowner;SharedAccessKey={Key}";
    public const string Base = "https://localhost:8443/";
    public const string ApiVersion = "api-version=2021-04-12";

    /// <summary>One canned answer.</summary>
    public sealed record Answer(HttpStatusCode Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

    /// <summary>One request as the hub would have seen it.</summary>
    public sealed record Seen(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
    }

    private int _next;

    public List<Seen> Requests { get; } = new();

    public static Answer Ok(string body, params (string Name, string Value)[] headers)
        => new(HttpStatusCode.OK, body, headers.ToDictionary(h => h.Name, h => h.Value));

    public static Answer Status(int status, string body = "") => new((HttpStatusCode)status, body);

    /// <summary>An error in envelope 1: <c>{"Message":"ErrorCode:Name;text","ExceptionMessage":"Tracking ID:…"}</c>.</summary>
    public static Answer Error(int status, string code, string text)
        => new((HttpStatusCode)status,
            $$"""{"Message":"ErrorCode:{{code}};{{text}}","ExceptionMessage":"Tracking ID:feed-G:1-TimeStamp:01/02/2023 21:43:41"}""",
            new Dictionary<string, string> { ["iothub-errorcode"] = code });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        string? body = null;
        if (request.Content is not null)
        {
            headers["Content-Type"] = request.Content.Headers.ContentType!.ToString();
            body = await request.Content.ReadAsStringAsync(cancellationToken);
        }
        Requests.Add(new Seen(request.Method, request.RequestUri!, headers, body));
        var answer = answers[Math.Min(_next++, answers.Length - 1)];
        var response = new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    /// <summary>Client options that send through this hub and never wait between retries.</summary>
    public ServiceClientOptions Options(int maxAttempts = 1) => new()
    {
        HttpMessageHandler = this,
        RetryPolicy = new RetryPolicy { MaxAttempts = maxAttempts, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero },
    };
}
