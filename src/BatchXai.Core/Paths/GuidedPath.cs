namespace BatchXai.Core.Paths;

/// <summary>
/// The adaptive path of Guided IG (Kapishnikov et al. 2021) for one image, step by step, as the
/// authors' reference implementation walks it: at step k of m the L1 distance to the input must
/// shrink to (1 − k/m) of the baseline's; it is closed by moving the features of smallest
/// |gradient| (a <c>fraction</c> of all, lowest-quantile) towards the input, while every feature's
/// own progress α_i = (x_i − x'_i)/(x_i⁰ − x'_i) stays within <c>maxDist</c> of k/m (laggards are
/// pulled up first, leaders cannot pass k/m + maxDist). Attribution accumulates ∂S_c/∂x · Δx with
/// the gradient taken at the step's starting point. Features only ever move towards the input.
/// </summary>
public sealed class GuidedPath
{
    private const double Epsilon = 1e-9;

    private readonly double[] _input, _baseline, _x, _attribution, _absGradient, _scratch;
    private readonly int _steps;
    private readonly double _fraction, _maxDist, _l1Total;

    public GuidedPath(ReadOnlySpan<float> input, ReadOnlySpan<float> baseline, int steps, double fraction, double maxDist)
    {
        _input = ToDouble(input);
        _baseline = ToDouble(baseline);
        _x = (double[])_baseline.Clone();
        _attribution = new double[input.Length];
        _absGradient = new double[input.Length];
        _scratch = new double[input.Length];
        (_steps, _fraction, _maxDist) = (steps, fraction, maxDist);
        for (int i = 0; i < _x.Length; i++) _l1Total += Math.Abs(_input[i] - _baseline[i]);
    }

    /// <summary>The current point of the path (the baseline before the first step, the input after the last).</summary>
    public ReadOnlySpan<double> Current => _x;

    public ReadOnlySpan<double> Attribution => _attribution;

    /// <summary>Writes the current point for the next gradient evaluation.</summary>
    public void WriteCurrent(Span<float> destination)
    {
        for (int i = 0; i < _x.Length; i++) destination[i] = (float)_x[i];
    }

    /// <summary>Advances by step <paramref name="step"/> (0-based) given ∂S_c/∂x at <see cref="Current"/>.</summary>
    public void Advance(int step, ReadOnlySpan<float> gradient)
    {
        if (_l1Total == 0) return; // input = baseline: nothing to attribute
        double alpha = (step + 1.0) / _steps;
        double alphaMin = Math.Max(alpha - _maxDist, 0), alphaMax = Math.Min(alpha + _maxDist, 1);
        double l1Target = _l1Total * (1 - alpha);
        while (true)
        {
            // Laggards come up to the lower edge of the allowed band.
            for (int i = 0; i < _x.Length; i++)
            {
                double d = _input[i] - _baseline[i];
                if (d != 0 && (_x[i] - _baseline[i]) / d < alphaMin) MoveTo(i, _baseline[i] + d * alphaMin, gradient[i]);
            }
            double l1Current = 0;
            for (int i = 0; i < _x.Length; i++) l1Current += Math.Abs(_x[i] - _input[i]);
            double gap = l1Current - l1Target;
            if (Math.Abs(gap) <= Math.Max(Epsilon * Math.Max(l1Current, l1Target), Epsilon) || gap < 0) return;

            // Features at the upper edge are out of the selection (|g| = ∞ in the reference).
            for (int i = 0; i < _x.Length; i++)
                _absGradient[i] = _x[i] == UpperEdge(i, alphaMax) ? double.PositiveInfinity : Math.Abs(gradient[i]);
            double threshold = LowerQuantile(_absGradient, _fraction);
            double l1Selected = 0;
            for (int i = 0; i < _x.Length; i++)
                if (Selected(i, threshold)) l1Selected += Math.Abs(_x[i] - UpperEdge(i, alphaMax));
            if (l1Selected == 0) return; // nothing can move further within the band

            double gamma = gap / l1Selected;
            for (int i = 0; i < _x.Length; i++)
            {
                if (!Selected(i, threshold)) continue;
                double edge = UpperEdge(i, alphaMax);
                MoveTo(i, gamma > 1 ? edge : _x[i] + (edge - _x[i]) * gamma, gradient[i]);
            }
            if (gamma <= 1) return;
        }
    }

    private bool Selected(int i, double threshold) => _absGradient[i] <= threshold && !double.IsPositiveInfinity(_absGradient[i]);

    private double UpperEdge(int i, double alphaMax) => _baseline[i] + (_input[i] - _baseline[i]) * alphaMax;

    private void MoveTo(int i, double value, float gradient)
    {
        _attribution[i] += (value - _x[i]) * gradient;
        _x[i] = value;
    }

    /// <summary>numpy's quantile(values, q, interpolation='lower'): the ⌊q·(n−1)⌋-th smallest, by quickselect.</summary>
    private double LowerQuantile(double[] values, double q)
    {
        values.CopyTo(_scratch, 0);
        int k = (int)Math.Floor(q * (values.Length - 1));
        int lo = 0, hi = _scratch.Length - 1;
        var random = new Random(k);
        while (lo < hi)
        {
            double pivot = _scratch[random.Next(lo, hi + 1)];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (_scratch[i] < pivot) i++;
                while (_scratch[j] > pivot) j--;
                if (i <= j) { (_scratch[i], _scratch[j]) = (_scratch[j], _scratch[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return _scratch[k];
    }

    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }
}
