import streamlit as st

from explorer import data
from explorer import forecast as fx
from explorer.components import not_matched_note, page_title
from explorer.menu import end_page
from sendlib.domain.forecast import MAX_HORIZON, Scenario, TooLittleHistory
from sendlib.domain.scenarios import cost_projection
from sendlib.presentation.extracts import MIME, to_csv_bytes

page_title("Forecast")
st.caption("EHC plans, requests and new plans for the years ahead, from DfE's published figures (the current release "
           "in the store) for every authority. How accurate the same method has been is shown beside it.")
if st.session_state.get(fx.FLASH_KEY):
    st.success(st.session_state.pop(fx.FLASH_KEY), icon=":material/check_circle:")
if not_matched_note():
    end_page()
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
    st.selectbox("Saved scenario", [fx.FITTED, *fx.saved_scenarios()], key="forecast-saved",
                 on_change=fx.apply_saved, args=(rates,),
                 help="Choose one of this authority's saved scenarios to set the controls below from it")
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
if measure == "ehcps" and (now := fx.nowcast_words(la)):
    st.markdown(now)
if not scenario.fitted:
    st.caption("Scenario applied: the forecast and its ranges are redrawn from the rates above.")
st.subheader("How accurate it has been")
for line in fx.record_words(measure, la):
    st.markdown(line)

st.subheader("Placement mix and costs")
with st.expander("Placement mix and unit costs", expanded=False):
    shares, unit_costs, source = fx.mix_and_costs(la)
costs = None
try:
    plans = fc if measure == "ehcps" else fx.made(la, "ehcps", horizon, scenario)
except TooLittleHistory as exc:
    st.info(f"No cost projection: {exc}.")
else:
    if sum(unit_costs.values()) > 0:
        costs = cost_projection(plans, shares, unit_costs)
        total = costs[costs["placement"] == "total"].iloc[-1]
        st.markdown(f"Under this scenario, EHC plans cost about £{total['cost']:,.0f} a year by {total['period']} "
                    f"(80% likely between £{total['lower']:,.0f} and £{total['upper']:,.0f}), from the forecast "
                    "plans × the placement mix × the unit costs entered.")
        st.dataframe(fx.cost_table(costs), hide_index=True, key="forecast-costs")
    else:
        st.caption("Enter what a place costs a year in each placement for a cost projection.")
fx.save_form(la, scenario, shares, unit_costs, source)

st.subheader("The figures")
st.dataframe(fx.table(fc), hide_index=True)
left, right = st.columns(2)
left.download_button("Download CSV", to_csv_bytes(fc.frame()), file_name=f"forecast-{measure}-{la}.csv",
                     mime="text/csv", key="forecast-csv")
right.download_button("Download Excel", fx.workbook(fc, costs), file_name=f"forecast-{measure}-{la}.xlsx",
                      mime=MIME["xlsx"], key="forecast-xlsx")
st.caption("Inputs: " + "; ".join(fc.inputs))
