namespace IotLabKit.Protocol;

/// <summary>
/// IoT Hub's error codes. The numeric value is the six-digit code IoT Hub reports; its first three
/// digits are the HTTP status. The enum name is what travels in the <c>iothub-errorcode</c> header
/// and in the <c>ErrorCode:&lt;Name&gt;</c> prefix of an error body.
/// </summary>
public enum IotHubErrorCode
{
    /// <summary>The api-version is not one the hub accepts.</summary>
    InvalidProtocolVersion = 400001,
    /// <summary>The operation is not valid in the current state.</summary>
    InvalidOperation = 400003,
    /// <summary>An argument (key, value, id, body member) is invalid.</summary>
    ArgumentInvalid = 400004,
    /// <summary>A required argument is missing.</summary>
    ArgumentNull = 400005,
    /// <summary>The body is not well-formed JSON.</summary>
    IotHubFormatError = 400006,
    /// <summary>A bulk operation lists the same device twice.</summary>
    DeviceDefinedMultipleTimes = 400011,
    /// <summary>A bulk registry operation partly failed.</summary>
    BulkRegistryOperationFailure = 400013,
    /// <summary>A bad request not covered by a more specific code.</summary>
    GenericBadRequest = 400020,
    /// <summary>A configuration's target condition is not a valid query condition.</summary>
    InvalidConfigurationTargetCondition = 400401,
    /// <summary>A configuration's content is not valid (paths, values, size).</summary>
    InvalidConfigurationContent = 400402,
    /// <summary>An update tried to change a configuration's content, which is fixed once created.</summary>
    CannotModifyImmutableConfigurationContent = 400403,
    /// <summary>A configuration's custom metric query is not valid (or there are too many).</summary>
    InvalidConfigurationCustomMetricsQuery = 400404,
    /// <summary>A second connection for the same identity closed the first.</summary>
    ConnectionForcefullyClosedOnNewConnection = 400027,
    /// <summary>The SAS token is missing, malformed, expired, wrongly signed or lacks the permission.</summary>
    IotHubUnauthorizedAccess = 401002,
    /// <summary>Device-side authentication failure.</summary>
    IotHubUnauthorized = 401003,
    /// <summary>Too many concurrent import/export jobs.</summary>
    JobQuotaExceeded = 403001,
    /// <summary>The daily message quota is used up.</summary>
    IotHubQuotaExceeded = 403002,
    /// <summary>More than 50 cloud-to-device messages are pending for the device.</summary>
    DeviceMaximumQueueDepthExceeded = 403004,
    /// <summary>
    /// The addressed resource or route does not exist. (The emulator's generic not-found; the number follows the
    /// hub's xxx000 pattern for generic codes and is not confirmed against a real hub.)
    /// </summary>
    GenericNotFound = 404000,
    /// <summary>The device does not exist.</summary>
    DeviceNotFound = 404001,
    /// <summary>The job does not exist.</summary>
    JobNotFound = 404002,
    /// <summary>The module does not exist.</summary>
    ModuleNotFound = 404010,
    /// <summary>The device is not connected or has not subscribed to direct methods.</summary>
    DeviceNotOnline = 404103,
    /// <summary>The device closed its connection.</summary>
    DeviceConnectionClosedRemotely = 404104,
    /// <summary>The configuration does not exist.</summary>
    ConfigurationNotFound = 404301,
    /// <summary>The device already exists.</summary>
    DeviceAlreadyExists = 409001,
    /// <summary>The job already exists (409104 in Microsoft's service SDK error-code list).</summary>
    JobAlreadyExists = 409104,
    /// <summary>The module already exists on the device.</summary>
    ModuleAlreadyExistsOnDevice = 409301,
    /// <summary>The configuration already exists (409401 in IoT Hub's error-code documentation).</summary>
    ConfigurationAlreadyExists = 409401,
    /// <summary>The If-Match entity tag does not match the current one.</summary>
    PreconditionFailed = 412001,
    /// <summary>A cloud-to-device message was completed after its lock expired.</summary>
    DeviceMessageLockLost = 412002,
    /// <summary>The message or payload is too large.</summary>
    MessageTooLarge = 413001,
    /// <summary>A bulk operation names more than 100 devices.</summary>
    TooManyDevices = 413002,
    /// <summary>The hub already holds its maximum number of configurations (100 on a standard hub).</summary>
    ConfigurationCountLimitExceeded = 413101,
    /// <summary>Throttled.</summary>
    ThrottlingException = 429001,
    /// <summary>Too many jobs are active at once.</summary>
    ThrottlingMaxActiveJobCountExceeded = 429004,
    /// <summary>An unexpected server error.</summary>
    ServerError = 500001,
    /// <summary>The server timed out.</summary>
    GenericTimeout = 500008,
    /// <summary>The service is temporarily unavailable.</summary>
    ServiceUnavailable = 503001,
    /// <summary>The device did not answer a direct method within the response timeout.</summary>
    GatewayTimeout = 504101,
}

/// <summary>Helpers for <see cref="IotHubErrorCode"/>.</summary>
public static class IotHubErrorCodes
{
    /// <summary>The HTTP status that goes with an error code (its first three digits).</summary>
    public static int HttpStatus(this IotHubErrorCode code) => (int)code / 1000;

    /// <summary>Reads an error-code name as IoT Hub writes it (case-insensitive); false when unknown.</summary>
    public static bool TryParse(string? name, out IotHubErrorCode code)
    {
        code = default;
        if (string.IsNullOrWhiteSpace(name)) return false;
        if (int.TryParse(name, out var number))
        {
            if (Enum.IsDefined(typeof(IotHubErrorCode), number)) { code = (IotHubErrorCode)number; return true; }
            return false;
        }
        return Enum.TryParse(name.Trim(), ignoreCase: true, out code) && Enum.IsDefined(code);
    }
}
