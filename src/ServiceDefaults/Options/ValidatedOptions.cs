using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.ServiceDefaults.Options;

public static class ValidatedOptions
{
    /// <summary>
    /// Binds a configuration section to <typeparamref name="T"/> and validates it when the host starts,
    /// so a bad option stops startup with its full configuration path in the message (e.g. "Kafka:BootstrapServers").
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string sectionName)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(sectionName));
        return services.AddOptions<T>().BindConfiguration(sectionName).ValidateOnStart();
    }
}

/// <summary>Runs DataAnnotations over an options object and its nested option objects, naming each failure by path.</summary>
internal sealed class SectionValidator<T>(string sectionName) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = new List<string>();
        Collect(options, sectionName, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Collect(object instance, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? result.MemberNames : [""];
            failures.AddRange(members.Select(member =>
                $"{(member.Length == 0 ? path : $"{path}:{member}")}: {result.ErrorMessage}"));
        }

        if (instance is IValidatableOptions custom)
        {
            failures.AddRange(custom.Validate().Select(f => $"{path}:{f}"));
        }

        foreach (var property in instance.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length == 0
                && property.PropertyType.IsClass
                && property.PropertyType != typeof(string)
                && property.PropertyType.Namespace?.StartsWith("CinematicSwitch", StringComparison.Ordinal) == true
                && property.GetValue(instance) is { } nested)
            {
                Collect(nested, $"{path}:{property.Name}", failures);
            }
        }
    }
}

/// <summary>Cross-field rules that attributes cannot express; each failure starts with the member it concerns.</summary>
public interface IValidatableOptions
{
    IEnumerable<string> Validate();
}
