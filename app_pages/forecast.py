import streamlit as st

from explorer import data
from explorer import forecast as fx
from sendlib.domain.forecast import MAX_HORIZON, Scenario, TooLittleHistory
from sendlib.presentation.extracts import to_csv_bytes

st.title("Forecast")
st.caption("EHC plans, requests and new plans for the years ahead, from DfE's published figures (the current release "
           "in the store) for every authority. How accurate the same method has been is shown beside it.")
la, name = data.home().old_la_code, data.home_la_name()
measure = st.radio("Measure", list(fx.MEASURE_WORDS), format_func=fx.MEASURE_WORDS.get, horizontal=True,
                   key="forecast-measure")
horizon = st.slider("Years ahead", 1, MAX_HORIZON, MAX_HORIZON, key="forecast-horizon")
try:
    base = fx.made(la, measure, horizon)
except TooLittleHistory as exc:
    st.info(f"No forecast: {exc}.")
    st.stop()

rates = base.rates
with st.expander("Scenario: change the fitted rates", expanded=True):
    growth = st.slider("Request growth (percentage points a year added)", -20.0, 20.0, 0.0, 1.0,
                       key="forecast-growth",
                       help=f"Fitted: requests grow about {rates.get('request_growth', 0):.0f}% a year")
    conversion = st.slider("Conversion rate (new plans per request)", 0.1, 1.5,
                           round(rates.get("conversion", 0.6), 2), 0.01, key="forecast-conversion")
    leaving = st.slider("Leaving rate (plans ceasing a year, per plan)", 0.0, 0.3,
                        round(rates.get("leaving", 0.05), 3), 0.005, key="forecast-leaving")
scenario = Scenario(growth, None if abs(conversion - round(rates.get("conversion", 0.6), 2)) < 1e-9 else conversion,
                    None if abs(leaving - round(rates.get("leaving", 0.05), 3)) < 1e-9 else leaving)
fc = fx.made(la, measure, horizon, scenario)

st.altair_chart(fx.fan_chart(fc), key="forecast-chart")
st.markdown(fx.describe(fc), help="A text description of the chart")
if not scenario.fitted:
    st.caption("Scenario applied: the forecast and its ranges are redrawn from the rates above.")
st.subheader("How accurate it has been")
for line in fx.record_words(measure, la):
    st.markdown(line)
st.subheader("The figures")
st.dataframe(fx.table(fc), hide_index=True)
st.download_button("Download CSV", to_csv_bytes(fc.frame()), file_name=f"forecast-{measure}-{la}.csv",
                   mime="text/csv", key="forecast-csv")
st.caption("Inputs: " + "; ".join(fc.inputs))
