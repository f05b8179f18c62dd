using CinematicSwitch.SchemaRegistry.Server.Rest;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.SchemaRegistry.Server.Api;

/// <summary>An error the API answers with: an HTTP status and a Confluent error code and message.</summary>
internal sealed class RegistryError : Exception
{
    public RegistryError()
    {
    }

    public RegistryError(string message)
        : base(message)
    {
    }

    public RegistryError(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RegistryError(int status, int errorCode, string message)
        : base(message)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    public int Status { get; } = StatusCodes.Status500InternalServerError;

    public int ErrorCode { get; } = StatusCodes.Status500InternalServerError;

    // The messages are Confluent's, so that tools matching on them keep working.
    public static RegistryError SubjectNotFound(string subject) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.SubjectNotFound, $"Subject '{subject}' not found.");

    public static RegistryError VersionNotFound(int version) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.VersionNotFound, $"Version {version} not found.");

    public static RegistryError SchemaNotFound() =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.SchemaNotFound, "Schema not found");

    public static RegistryError SchemaNotFound(int id) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.SchemaNotFound, $"Schema {id} not found");

    public static RegistryError SubjectSoftDeleted(string subject) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.SubjectSoftDeleted,
            $"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently");

    public static RegistryError SubjectNotSoftDeleted(string subject) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.SubjectNotSoftDeleted,
            $"Subject '{subject}' was not deleted first before being permanently deleted");

    public static RegistryError VersionSoftDeleted(string subject, int version) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.VersionSoftDeleted,
            $"Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently");

    public static RegistryError VersionNotSoftDeleted(string subject, int version) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.VersionNotSoftDeleted,
            $"Subject '{subject}' Version {version} was not deleted first before being permanently deleted");

    public static RegistryError CompatibilityNotConfigured(string subject) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.SubjectCompatibilityNotConfigured,
            $"Subject '{subject}' does not have subject-level compatibility configured");

    public static RegistryError ModeNotConfigured(string subject) =>
        new(StatusCodes.Status404NotFound, RegistryErrorCodes.SubjectModeNotConfigured,
            $"Subject '{subject}' does not have subject-level mode configured");

    public static RegistryError Incompatible(string subject, IEnumerable<string> details) =>
        new(StatusCodes.Status409Conflict, RegistryErrorCodes.IncompatibleSchema,
            $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{string.Join(", ", details)}]");

    public static RegistryError InvalidSchema(string detail) =>
        new(StatusCodes.Status422UnprocessableEntity, RegistryErrorCodes.InvalidSchema, detail);

    public static RegistryError InvalidVersion(string version) =>
        new(StatusCodes.Status422UnprocessableEntity, RegistryErrorCodes.InvalidVersion,
            $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");

    public static RegistryError InvalidCompatibility() =>
        new(StatusCodes.Status422UnprocessableEntity, RegistryErrorCodes.InvalidCompatibilityLevel,
            "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");

    public static RegistryError InvalidMode(string? mode) =>
        new(StatusCodes.Status422UnprocessableEntity, RegistryErrorCodes.InvalidMode,
            $"Invalid mode '{mode}'. Valid values are READWRITE and READONLY");

    public static RegistryError ReadOnly(string subject) =>
        new(StatusCodes.Status422UnprocessableEntity, RegistryErrorCodes.OperationNotPermitted, $"Subject {subject} is in read-only mode");

    public static RegistryError BadRequest(string message) => new(StatusCodes.Status400BadRequest, StatusCodes.Status400BadRequest, message);
}
