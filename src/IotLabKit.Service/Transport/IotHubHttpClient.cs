using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using IotLabKit.Protocol;
using IotLabKit.Service.Exceptions;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service.Transport;

/// <summary>
/// The HTTP plumbing every service client shares: one keep-alive connection pool per client, the SAS header,
/// api-version, TLS trust, error mapping and the 429/503 retry. Clients hand it a relative path and a body.
/// </summary>
internal sealed class IotHubHttpClient : IDisposable
{
    /// <summary>The REST api-version Microsoft's service SDKs send.</summary>
    public const string ApiVersion = "2021-04-12";

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly SasTokenProvider _sas;
    private readonly RetryPolicy _retry;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly EmulatorCertificateTrust? _trust;
    private readonly string _baseAddress;

    public IotHubHttpClient(IotHubConnectionString connection, ServiceClientOptions options, TimeProvider? time = null, Func<double>? random = null)
    {
        options.Validate();
        HostName = connection.HostName;
        UsesEmulatorTrust = connection.UseDevelopmentEmulator;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared.NextDouble;
        _retry = new RetryPolicy { MaxAttempts = options.RetryPolicy.MaxAttempts, BaseDelay = options.RetryPolicy.BaseDelay, MaxDelay = options.RetryPolicy.MaxDelay };
        _timeout = options.Timeout;
        _sas = new SasTokenProvider(connection, options.SasTokenTimeToLive, _time);
        _baseAddress = "https://" + connection.HostName + "/";

        HttpMessageHandler handler;
        if (options.HttpMessageHandler is { } custom)
        {
            handler = custom;
        }
        else
        {
            if (connection.UseDevelopmentEmulator) _trust = EmulatorCertificateTrust.Load(options.CaCertificatePath);
            var sockets = new SocketsHttpHandler
            {
                // Recycle pooled connections now and then so a changed DNS entry or restarted emulator is picked up.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
            };
            if (_trust is not null) sockets.SslOptions.RemoteCertificateValidationCallback = _trust.Validate;
            handler = sockets;
        }
        _http = new HttpClient(handler, disposeHandler: options.HttpMessageHandler is null) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("iotlabkit-service", ClientVersion));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.ExpectContinue = false;
    }

    /// <summary>
    /// The client for a service connection string — the one check every service client (registry, methods, jobs)
    /// applies, so a device connection string gets the same clear refusal everywhere.
    /// </summary>
    /// <exception cref="ArgumentException">Malformed, or not a service connection string.</exception>
    public static IotHubHttpClient FromConnectionString(string connectionString, ServiceClientOptions? options)
        => new(ParseServiceConnectionString(connectionString), options ?? new ServiceClientOptions());

    internal static IotHubConnectionString ParseServiceConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        IotHubConnectionString parsed;
        try
        {
            parsed = IotHubConnectionString.Parse(connectionString);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"The connection string is not valid: {ex.Message}", nameof(connectionString), ex);
        }
        if (parsed.DeviceId is not null)
            throw new ArgumentException("This is a device connection string (it has DeviceId). The service clients need a service one: HostName=…;SharedAccessKeyName=…;SharedAccessKey=….", nameof(connectionString));
        if (parsed.SharedAccessKey is not null && parsed.SharedAccessKeyName is null)
            throw new ArgumentException("The connection string has a SharedAccessKey but no SharedAccessKeyName (the policy name, such as iothubowner).", nameof(connectionString));
        return parsed;
    }

    /// <summary>The hub's host name as in the connection string (port included if given).</summary>
    public string HostName { get; }

    /// <summary>True when the client trusts only the emulator's CA.</summary>
    public bool UsesEmulatorTrust { get; }

    /// <summary>The CA file in use, when <see cref="UsesEmulatorTrust"/>.</summary>
    public string? CaPath => _trust?.CaPath;

    /// <summary>This library's version, as sent in User-Agent.</summary>
    public static string ClientVersion { get; } = ReadVersion();

    /// <summary>Sends a request and reads the answer as <typeparamref name="T"/>.</summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string path, string? query, string? jsonBody, string? ifMatch, CancellationToken cancellationToken)
    {
        var body = await SendAsync(method, path, query, jsonBody, ifMatch, cancellationToken).ConfigureAwait(false);
        return Deserialize<T>(method, path, body);
    }

    /// <summary>
    /// Sends a request; returns the body of a 2xx answer. Retries 429/503 per the retry policy, throws the matching
    /// <see cref="IotHubException"/> for any other error answer and <see cref="IotHubCommunicationException"/> when
    /// there is no answer. Cancellation through <paramref name="cancellationToken"/> surfaces as such.
    /// </summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path below the hub, already URL-encoded, without a leading slash.</param>
    /// <param name="query">Extra query parameters (encoded, without '?'), or null; api-version is added.</param>
    /// <param name="jsonBody">The JSON body, or null for none.</param>
    /// <param name="ifMatch">The entity tag for If-Match (quoted here if it is not), or null for none.</param>
    /// <param name="cancellationToken">Cancels the whole call, retries included.</param>
    public async Task<string> SendAsync(HttpMethod method, string path, string? query, string? jsonBody, string? ifMatch, CancellationToken cancellationToken)
    {
        var response = await SendAsync(new IotHubRequest(method, path) { Query = query, JsonBody = jsonBody, IfMatch = ifMatch }, cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Sends a request and reads the answer's body as <typeparamref name="T"/>.</summary>
    public async Task<T> SendAsync<T>(IotHubRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Deserialize<T>(request.Method, request.Path, response.Body);
    }

    /// <summary>
    /// Sends a request; returns a 2xx answer's status, body and headers (paging reads its headers). Errors, retries
    /// and cancellation as in the other overloads.
    /// </summary>
    public async Task<IotHubResponse> SendAsync(IotHubRequest request, CancellationToken cancellationToken)
    {
        var (method, path) = (request.Method, request.Path);
        var timeout = request.Timeout ?? _timeout;
        var uri = new Uri(_baseAddress + path + "?" + (string.IsNullOrEmpty(request.Query) ? "" : request.Query + "&") + "api-version=" + ApiVersion);
        for (var attempt = 1; ; attempt++)
        {
            using var message = new HttpRequestMessage(method, uri);
            message.Headers.TryAddWithoutValidation("Authorization", _sas.GetToken());
            if (request.IfMatch is not null) message.Headers.TryAddWithoutValidation("If-Match", Quote(request.IfMatch));
            if (request.Headers is not null)
                foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
            if (request.JsonBody is not null)
            {
                message.Content = new StringContent(request.JsonBody, Encoding.UTF8);
                message.Content.Headers.ContentType = JsonContentType;
            }

            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(timeout);
            HttpResponseMessage response;
            string body;
            try
            {
                response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token).ConfigureAwait(false);
                body = await response.Content.ReadAsStringAsync(attemptTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                var hint = request.Timeout is null
                    ? "Raise ServiceClientOptions.Timeout if the hub is just slow."
                    : "This call's time limit follows from its own settings (such as a direct method's timeouts) and ServiceClientOptions.Timeout, whichever is longer.";
                throw new IotHubCommunicationException(
                    $"No answer from {HostName} within {timeout.TotalSeconds:0.###} s ({method} /{path}). {hint}", ex);
            }
            catch (HttpRequestException ex)
            {
                throw TransportFailure(ex);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode) return new IotHubResponse(status, body, ReadHeaders(response));
                var details = IotHubErrorParser.Parse(status, response.ReasonPhrase, Header(response, "iothub-errorcode"), body);
                if (status is 429 or 503 && attempt < _retry.MaxAttempts)
                {
                    var delay = _retry.GetDelay(attempt, RetryAfter(response), _random());
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                throw IotHubExceptionFactory.Create(details);
            }
        }
    }

    /// <summary>Reads a 2xx body as <typeparamref name="T"/>; a body that does not fit is the hub's fault, said plainly.</summary>
    internal static T Deserialize<T>(HttpMethod method, string path, string body)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, ServiceJson.Options)
                ?? throw new JsonException("The body is empty or null.");
        }
        catch (JsonException ex)
        {
            throw new IotHubException($"The hub's answer to {method} /{path} could not be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private static Dictionary<string, string> ReadHeaders(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers) headers[name] = string.Join(",", values);
        foreach (var (name, values) in response.Content.Headers) headers[name] = string.Join(",", values);
        return headers;
    }

    /// <summary>Puts an entity tag in the quoted form IoT Hub's SDKs always send (<c>"*"</c> included).</summary>
    internal static string Quote(string etag)
    {
        var t = etag.Trim();
        if (t.StartsWith("W/", StringComparison.Ordinal)) return t;
        return t.Length >= 2 && t[0] == '"' && t[^1] == '"' ? t : "\"" + t + "\"";
    }

    private IotHubCommunicationException TransportFailure(HttpRequestException ex)
    {
        var socket = Find<SocketException>(ex);
        var reason = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.TimedOut => "the connection timed out",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => "the host is unreachable",
            SocketError.ConnectionReset => "the connection was reset",
            _ => socket?.Message ?? Innermost(ex).Message,
        };
        var hint = UsesEmulatorTrust ? " Is the emulator running, on that port?" : "";
        string message = ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"Cannot reach {HostName}: the host name could not be resolved ({reason}).",
            HttpRequestError.ConnectionError => $"Cannot reach {HostName}: {reason}.{hint}",
            HttpRequestError.SecureConnectionError => TlsFailure(ex),
            HttpRequestError.ResponseEnded => $"{HostName} closed the connection before answering.{hint}",
            _ => $"Cannot talk to {HostName}: {Innermost(ex).Message}",
        };
        return new IotHubCommunicationException(message, ex);
    }

    private string TlsFailure(HttpRequestException ex)
    {
        if (_trust is not null)
        {
            var why = _trust.LastRejection ?? Find<AuthenticationException>(ex)?.Message ?? Innermost(ex).Message;
            return $"TLS handshake with {HostName} failed: {why}. With UseDevelopmentEmulator=true the client trusts only the emulator CA in {_trust.CaPath}; " +
                   $"if the emulator's data directory changed, point ServiceClientOptions.CaCertificatePath or {EmulatorTrust.CaEnvironmentVariable} at its current ca.pem.";
        }
        var detail = Find<AuthenticationException>(ex)?.Message ?? Innermost(ex).Message;
        return $"TLS handshake with {HostName} failed: the server's certificate is not trusted by this machine's trust store ({detail}). " +
               "If this is an IotLabKit emulator, add UseDevelopmentEmulator=true to the connection string so the client trusts the emulator's own CA.";
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta) return delta;
        if (retryAfter?.Date is { } date) return date - _time.GetUtcNow();
        return null;
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static T? Find<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    private static string ReadVersion()
    {
        var assembly = typeof(IotHubHttpClient).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }

    public void Dispose() => _http.Dispose();
}
