namespace BatchXai.Core.Paths;

/// <summary>
/// A path γ: [0, 1] → input space from a baseline γ(0) to the input γ(1) for path attribution
/// methods: attribution_i = ∫₀¹ ∂S_c/∂x_i(γ(α)) · γ_i'(α) dα, which sums to S_c(γ(1)) − S_c(γ(0)).
/// </summary>
public interface IAttributionPath
{
    /// <summary>Writes γ(α).</summary>
    void Point(double alpha, Span<float> destination);

    /// <summary>Writes γ'(α), the path's velocity.</summary>
    void Velocity(double alpha, Span<float> destination);
}

/// <summary>Integrated Gradients' straight line γ(α) = x' + α(x − x'), velocity x − x'.</summary>
public sealed class StraightPath(float[] baseline, float[] input) : IAttributionPath
{
    public float[] Baseline => baseline;

    public void Point(double alpha, Span<float> destination)
    {
        float a = (float)alpha;
        for (int j = 0; j < destination.Length; j++) destination[j] = baseline[j] + a * (input[j] - baseline[j]);
    }

    public void Velocity(double alpha, Span<float> destination) =>
        System.Numerics.Tensors.TensorPrimitives.Subtract(input, baseline, destination);
}

/// <summary>
/// Blur IG's path (Xu et al. 2020): γ(α) = G_σ(α) * x, the input blurred with σ(α) = σ_max·(1 − α)²
/// — from the most blurred image to the image itself. Squaring spends more of the nodes at small σ,
/// where fine detail appears and the integrand changes fastest. The velocity is the central
/// difference of the blur in σ (the path as computed, so completeness holds for the discrete blur).
/// </summary>
public sealed class BlurPath(InputGeometry geometry, float[] input, double maxSigma) : IAttributionPath
{
    /// <summary>σ step of the central difference, in pixels (as the reference implementation's 0.01).</summary>
    private const double SigmaStep = 0.01;

    private readonly GaussianBlur _blur = new(geometry);
    private readonly float[] _minus = new float[geometry.SampleSize];

    public double Sigma(double alpha) => maxSigma * (1 - alpha) * (1 - alpha);

    public void Point(double alpha, Span<float> destination) => _blur.Apply(input, Sigma(alpha), destination);

    public void Velocity(double alpha, Span<float> destination)
    {
        double sigma = Sigma(alpha);
        // The blur is even in σ, so at σ < step the difference reads across 0 as it should (γ' → 0 there).
        _blur.Apply(input, Math.Abs(sigma + SigmaStep), destination);
        _blur.Apply(input, Math.Abs(sigma - SigmaStep), _minus);
        double dSigmaDAlpha = -2 * maxSigma * (1 - alpha);
        float scale = (float)(dSigmaDAlpha / (2 * SigmaStep));
        System.Numerics.Tensors.TensorPrimitives.Subtract(destination, _minus, destination);
        System.Numerics.Tensors.TensorPrimitives.Multiply(destination, scale, destination);
    }
}
