package io.livemig.orchestrator.placement;

import java.util.List;

/**
 * The cluster's load spread: the population standard deviation of the weighted load ({@link
 * PlacementSettings#load}) of the hosts that are {@link HostAvailability#UP}. Hosts that are down,
 * draining or in maintenance are left out: they cannot receive VMs, so counting their (often
 * zero) load would report an imbalance no move can fix.
 *
 * <p>Standard deviation rather than max-min because it reacts to every host, so moving load
 * between two middle hosts still counts, and it can be updated in O(1) when one move changes two
 * hosts, which keeps scoring a candidate cheap on 10,000 hosts.
 */
public final class Spread {
    private Spread() {}

    /** The spread of {@code hosts} under the weights of {@code settings}; 0 for an empty cluster. */
    public static double of(List<HostLoad> hosts, PlacementSettings settings) {
        return Stats.of(hosts, settings).stddev();
    }

    /** Running sums over the UP hosts, so that a move can be scored without a pass over all. */
    record Stats(int n, double sum, double sumOfSquares) {
        static Stats of(List<HostLoad> hosts, PlacementSettings settings) {
            int n = 0;
            double sum = 0;
            double sumSq = 0;
            for (HostLoad h : hosts) {
                if (h.state() == HostAvailability.UP) {
                    double l = settings.load(h);
                    n++;
                    sum += l;
                    sumSq += l * l;
                }
            }
            return new Stats(n, sum, sumSq);
        }

        /** These sums with one UP host's load replaced. */
        Stats replace(double oldLoad, double newLoad) {
            return new Stats(n, sum - oldLoad + newLoad,
                    sumOfSquares - oldLoad * oldLoad + newLoad * newLoad);
        }

        double stddev() {
            if (n == 0) {
                return 0;
            }
            double mean = sum / n;
            return Math.sqrt(Math.max(0, sumOfSquares / n - mean * mean));
        }
    }
}
